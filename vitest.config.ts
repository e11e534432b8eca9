import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

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
          globalSetup: ['worker/test/global-setup.ts'],
          testTimeout: 20_000,
          deps: { optimizer: { ssr: { enabled: true, include: ['stripe', 'zod', 'hono', 'drizzle-orm', '@neondatabase/serverless', 'jose', 'hono-openapi', '@scalar/hono-api-reference', 'bcryptjs'] } } },
        },
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
