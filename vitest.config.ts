import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/** Worker tests of pure code (no bindings, no database): they run in Node, not in workerd. */
const UNIT = ['worker/test/pricing.test.ts', 'worker/test/private-address.test.ts', 'worker/test/supplier-detect.test.ts', 'worker/test/domain-errors.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                DATABASE_URL: inject('databaseUrl'),
                DB_WS_PROXY: inject('dbWsProxy'),
                DB_HTTP_ENDPOINT: inject('dbHttpEndpoint'),
                EXPOSE_DB_ROUND_TRIPS: 'true',
                ...inject('fakeBindings'),
              },
            },
          })),
        ],
        test: {
          name: 'worker',
          include: ['worker/**/*.test.ts'],
          exclude: UNIT,
          globalSetup: ['worker/test/global-setup.ts'],
          testTimeout: 20_000,
          deps: { optimizer: { ssr: { enabled: true, include: ['stripe', 'zod', 'hono', 'hono/route', 'drizzle-orm', '@neondatabase/serverless', 'jose', 'hono-openapi', '@scalar/hono-api-reference', 'bcryptjs'] } } },
        },
      },
      {
        // Pure functions: no Workers runtime or database, so no runtime start per file.
        test: { name: 'unit', include: UNIT, environment: 'node' },
      },
      {
        plugins: [react()],
        test: {
          name: 'web',
          include: ['web/src/**/*.test.tsx', 'web/src/**/*.test.ts'],
          environment: 'jsdom',
        },
      },
    ],
  },
});
