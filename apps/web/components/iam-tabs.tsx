'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { Action } from '@gantry/auth/grants';
import { useCan } from '../lib/iam-permissions';
import styles from './iam.module.css';

export interface IamTab {
  href: string;
  label: string;
  /** The permission the page needs; tabs the user may not use are left out. */
  needs?: { resource: string; action: Action };
}

/** A section's pages, as tabs: only those the signed-in user may use. */
export function IamTabs({ label, tabs }: { label: string; tabs: readonly IamTab[] }) {
  const pathname = usePathname();
  const can = useCan();
  const visible = tabs.filter((t) => !t.needs || can(t.needs.resource, t.needs.action));
  // The most specific tab that matches is the current one (`/organization` vs `/organization/groups`).
  const current = visible.filter((t) => pathname === t.href || pathname.startsWith(`${t.href}/`)).sort((a, b) => b.href.length - a.href.length)[0];
  return (
    <nav aria-label={label}>
      <ul className={styles.tabs}>
        {visible.map((t) => (
          <li key={t.href}>
            <Link href={t.href} aria-current={t === current ? 'page' : undefined}>{t.label}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
