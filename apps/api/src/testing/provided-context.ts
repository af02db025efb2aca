// What scripts/vitest-global-setup.ts provides to every test file.
declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}
export {};
