import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { auth, signOut } from '../../auth';
import { Nav } from '../../components/nav';
import { Providers } from '../providers';

/** Every console page: signed-in users only, with the navigation and the user menu. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user) redirect('/login');
  return (
    <>
      <a href="#main" className="skip">Skip to content</a>
      <div className="shell">
        <header className="brand">
          <span aria-hidden="true" className="logo">▚</span> Gantry
          <form
            className="user"
            action={async () => {
              'use server';
              await signOut({ redirectTo: '/login' });
            }}
          >
            <span>{session.user.name}</span>
            <button type="submit">Sign out</button>
          </form>
        </header>
        <Nav />
        <main id="main" tabIndex={-1}>
          <Providers>{children}</Providers>
        </main>
      </div>
    </>
  );
}
