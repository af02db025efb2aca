/** Where the console's server side reaches the Gantry API (never the browser). */
export function apiUrl(): string {
  return (process.env.GANTRY_API_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
}
