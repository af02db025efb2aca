import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { auth, signOut } from '../../auth';
import { LiveUpdates } from '../../components/live-updates';
import { Nav } from '../../components/nav';
import { NowProvider } from '../../components/now';
import { ThemeSelect } from '../../components/theme-select';
import { themeFromCookie } from '../../lib/theme';
import { Providers } from '../providers';

/** Every console page: signed-in users only, with the navigation, the user menu and the live change stream. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user) redirect('/login');
  const theme = await themeFromCookie();
  return (
    <>
      <a href="#main" className="skip">Skip to content</a>
      <div className="shell">
        <header className="brand">
          <span aria-hidden="true" className="logo">▚</span> Gantry
          <div className="user">
            <ThemeSelect initial={theme} />
            <form
              action={async () => {
                'use server';
                await signOut({ redirectTo: '/login' });
              }}
            >
              <span>{session.user.name}</span> <button type="submit">Sign out</button>
            </form>
          </div>
        </header>
        <Nav />
        <main id="main" tabIndex={-1}>
          <Providers>
            <LiveUpdates>
              <NowProvider serverNow={Date.now()}>{children}</NowProvider>
            </LiveUpdates>
          </Providers>
        </main>
      </div>
    </>
  );
}
