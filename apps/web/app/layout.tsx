import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Nav } from '../components/nav';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = { title: 'Gantry', description: 'The Gantry datacenter operating system console' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip">Skip to content</a>
        <div className="shell">
          <header className="brand">
            <span aria-hidden="true" className="logo">▚</span> Gantry
          </header>
          <Nav />
          <main id="main" tabIndex={-1}>
            <Providers>{children}</Providers>
          </main>
        </div>
      </body>
    </html>
  );
}
