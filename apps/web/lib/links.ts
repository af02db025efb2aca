/** Where things live in the console. App ids are absolute paths (`/team-a/web`). */
export const appHref = (id: string, tab?: string) => `/services/app${id}${tab ? `?tab=${tab}` : ''}`;
export const groupHref = (id: string) => (id === '/' ? '/services' : `/services?group=${encodeURIComponent(id)}`);
export const taskHref = (id: string) => `/tasks/${encodeURIComponent(id)}`;
export const nodeHref = (id: string) => `/nodes/${encodeURIComponent(id)}`;
