/** What worker/test/global-setup.ts provides to the worker tests (`inject(...)`). */
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    dbWsProxy: string;
    dbHttpEndpoint: string;
    fakeBindings: Record<string, string>;
    /** The embedded database (one session: concurrent requests take turns) rather than a PostgreSQL server. */
    embeddedDb: boolean;
  }
}

export {};
