import './setup';
import { cleanup, render } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { clearCacheOnSessionChange, createQueryClient } from '../api/queries';
import { Providers } from '../app/Providers';
import { routes } from '../app/router';

export interface MockRequest {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Reply = [status: number, body?: unknown];
type Handler = (req: MockRequest) => Reply | Promise<Reply>;

/**
 * Replaces the global fetch (jsdom has no server to talk to) with handlers keyed by
 * "METHOD /path". Unknown routes answer like the worker does: 404 with a detail.
 */
export function mockApi(handlers: Record<string, Handler | Reply>) {
  const requests: MockRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(raw, 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const req: MockRequest = { method, path: url.pathname, url, headers: new Headers(init?.headers), body };
    requests.push(req);
    const handler = handlers[`${method} ${url.pathname}`];
    const [status, payload] = handler === undefined ? [404, { detail: 'Not Found' }] : typeof handler === 'function' ? await handler(req) : handler;
    if (status === 204) return new Response(null, { status });
    return new Response(JSON.stringify(payload ?? null), { status, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { fetchMock, requests };
}

export const USER = {
  id: '6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f',
  email: 'merchant@example.com',
  is_active: true,
  plan: 'pro' as const,
  created_at: '2025-01-31T10:00:00.123456Z',
  import_review: false,
  features: { ai: true },
};

export const USAGE = {
  plan: 'pro',
  period_start: '2025-05-01',
  period_end: '2025-06-01',
  metrics: [
    { name: 'items_used', label: 'Items Used', used: 12, limit: 100 },
    { name: 'secondary_used', label: 'Secondary Items', used: 3, limit: 500 },
  ],
};

export function signIn() {
  localStorage.setItem('sourcepilot.access_token', 'access-1');
  localStorage.setItem('sourcepilot.refresh_token', 'refresh-1');
}

const teardowns: (() => void)[] = [];

/** The whole app (routes, guards, providers) at `path`, with a fresh cache. */
export function renderApp(path: string) {
  const queryClient = createQueryClient();
  // The app's retry policy, without the production back-off between tries (1 s, 2 s).
  queryClient.setDefaultOptions({ ...queryClient.getDefaultOptions(), queries: { ...queryClient.getDefaultOptions().queries, retryDelay: 10 } });
  teardowns.push(clearCacheOnSessionChange(queryClient));
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(
    <Providers queryClient={queryClient}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return { ...view, router, queryClient };
}

afterEach(() => {
  cleanup();
  teardowns.splice(0).forEach((teardown) => teardown());
  localStorage.clear();
  vi.unstubAllGlobals();
});
