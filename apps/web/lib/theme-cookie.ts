export type Theme = 'system' | 'light' | 'dark';
export const THEME_COOKIE = 'gantry-theme';
