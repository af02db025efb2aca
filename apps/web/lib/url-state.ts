'use client';
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback } from 'react';

/**
 * A page's view state (search, filters, sort, tab) lives in its URL, so every view
 * can be linked, bookmarked and reloaded. Changes use the History API, which Next.js
 * syncs with `useSearchParams` without a server round trip: the page's data comes
 * from its own queries, not from re-rendering the server component.
 */
export function useUrlState<K extends string>(defaults: Record<K, string>) {
  const params = useSearchParams();
  const pathname = usePathname();
  const state = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, params.get(k) ?? v])) as Record<K, string>;
  const set = useCallback((patch: Partial<Record<K, string | undefined>>, options: { push?: boolean } = {}) => {
    const next = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(patch) as [K, string | undefined][]) {
      if (v === undefined || v === '' || v === defaults[k]) next.delete(k);
      else next.set(k, v);
    }
    const query = next.toString();
    const url = `${pathname}${query ? `?${query}` : ''}`;
    // After the next paint: the click or key that asked for it is answered on screen at
    // once (INP), and the view it changes (a table, a tab) renders right after. Chrome
    // paints only when its tasks let it, and React's render would otherwise come first.
    afterPaint(() => {
      if (options.push) window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
    });
  }, [pathname, defaults]);
  return [state, set] as const;
}

/** Runs `work` once the browser has painted the current frame. */
export function afterPaint(work: () => void): void {
  requestAnimationFrame(() => setTimeout(work, 0));
}
