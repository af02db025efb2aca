/** Reads one search param of a page's `searchParams`, with a fallback. */
export function param(value: string | string[] | undefined, fallback = ''): string {
  return (Array.isArray(value) ? value[0] : value) ?? fallback;
}

export type SearchParams = Promise<Record<string, string | string[] | undefined>>;
