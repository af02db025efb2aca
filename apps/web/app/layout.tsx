import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { themeFromCookie } from '../lib/theme';
import './globals.css';

export const metadata: Metadata = { title: 'Gantry', description: 'The Gantry datacenter operating system console' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The chosen theme comes with the page (no flash of the other one); "system" follows the OS.
  const theme = await themeFromCookie();
  return (
    <html lang="en" data-theme={theme === 'system' ? undefined : theme}>
      <body>{children}</body>
    </html>
  );
}
