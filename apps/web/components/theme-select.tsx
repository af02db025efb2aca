'use client';
import { useState } from 'react';
import { THEME_COOKIE, type Theme } from '../lib/theme-cookie';

/**
 * Light, dark or the system's choice. Kept in a cookie the server reads, so the page
 * arrives in its theme: no flash and no shift after loading.
 */
export function ThemeSelect({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  const choose = (next: Theme) => {
    setTheme(next);
    if (next === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
    document.cookie = `${THEME_COOKIE}=${next}; path=/; max-age=31536000; samesite=lax`;
  };
  return (
    <label className="theme">
      <span className="sr-only">Theme</span>
      <select value={theme} onChange={(e) => choose(e.target.value as Theme)} aria-label="Theme">
        <option value="system">System theme</option>
        <option value="light">Light theme</option>
        <option value="dark">Dark theme</option>
      </select>
    </label>
  );
}
