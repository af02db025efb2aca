'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

export const sections = [
  { href: '/', label: 'Dashboard' },
  { href: '/services', label: 'Services' },
  { href: '/tasks', label: 'Tasks' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/nodes', label: 'Nodes' },
  { href: '/catalog', label: 'Catalog' },
  { href: '/organization', label: 'Organization' },
  { href: '/settings', label: 'Settings' },
] as const;

export function Nav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Sections" className="nav">
      <ul>
        {sections.map((s) => {
          const current = s.href === '/' ? pathname === '/' : pathname.startsWith(s.href);
          return (
            <li key={s.href}>
              <Link href={s.href} aria-current={current ? 'page' : undefined}>
                {s.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
