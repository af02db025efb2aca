import { cookies } from 'next/headers';
import { THEME_COOKIE, type Theme } from './theme-cookie';

export async function themeFromCookie(): Promise<Theme> {
  const value = (await cookies()).get(THEME_COOKIE)?.value;
  return value === 'light' || value === 'dark' ? value : 'system';
}
