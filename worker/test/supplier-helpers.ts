import { env } from 'cloudflare:workers';
import { supplierAccounts } from '../db/schema';
import { encryptJson, supplierCredentials } from '../lib/secrets';
import { withDb } from './helpers';

/**
 * Puts a test user in live supplier mode: registers a fresh app/account with the fake
 * supplier (unique credentials, so parallel test files never share fake state) and
 * stores an encrypted supplier_accounts row for the user, as the Suppliers area does.
 */

const origin = (base: string) => new URL(base).origin;

export async function fakeControl(base: string, path: string, body?: unknown) {
  const res = await fetch(`${origin(base)}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fake control ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as any;
}

async function insertAccount(userId: string, platform: string, credentials: unknown, settings: Record<string, unknown>, isActive = true) {
  const id = crypto.randomUUID();
  const sealed = await encryptJson(env.ENCRYPTION_KEY, credentials, supplierCredentials({ id, userId }));
  const [row] = await withDb((db) =>
    db
      .insert(supplierAccounts)
      .values({ id, userId, name: `${platform} ${crypto.randomUUID().slice(0, 6)}`, platform, credentials: sealed, settings, isActive })
      .returning({ id: supplierAccounts.id }),
  );
  return row.id;
}

export async function connectAliExpress(userId: string, settings: Record<string, unknown> = { ship_to_country: 'US', target_currency: 'USD' }, opts: { isActive?: boolean } = {}) {
  const tag = crypto.randomUUID().replace(/-/g, '').slice(0, 12);
  const creds = { app_key: `ak${tag}`, app_secret: `secret-${tag}`, access_token: `token-${tag}` };
  await fakeControl(env.ALIEXPRESS_API_BASE, 'apps', creds);
  const accountId = await insertAccount(userId, 'aliexpress', creds, settings, opts.isActive ?? true);
  const control = (path: string, body?: Record<string, unknown>) =>
    body === undefined ? fakeControl(env.ALIEXPRESS_API_BASE, `${path}?app_key=${creds.app_key}`) : fakeControl(env.ALIEXPRESS_API_BASE, path, { app_key: creds.app_key, ...body });
  return {
    accountId,
    ...creds,
    control,
    requests: async () => (await control('requests')) as { count: number; requests: { method: string; params: Record<string, string>; at: number }[] },
  };
}

export async function connectCj(userId: string, opts: { qps?: number; settings?: Record<string, unknown>; platform?: string; accessTtlSeconds?: number } = {}) {
  const apiKey = `CJ${crypto.randomUUID().replace(/-/g, '').slice(0, 10)}@api@${crypto.randomUUID().replace(/-/g, '')}`;
  await fakeControl(env.CJ_API_BASE, 'accounts', { api_key: apiKey, qps: opts.qps ?? 1, access_ttl_seconds: opts.accessTtlSeconds });
  const accountId = await insertAccount(userId, opts.platform ?? 'cjdropshipping', { api_key: apiKey }, opts.settings ?? {});
  const control = (path: string, body?: Record<string, unknown>) =>
    body === undefined ? fakeControl(env.CJ_API_BASE, `${path}?api_key=${encodeURIComponent(apiKey)}`) : fakeControl(env.CJ_API_BASE, path, { api_key: apiKey, ...body });
  return {
    accountId,
    apiKey,
    control,
    requests: async () =>
      (await control('requests')) as {
        count: number;
        requests: { path: string; query: Record<string, string>; at: number }[];
        token_calls: number;
        refresh_calls: number;
        qps_violations: number;
        points_used: number;
        open_id: number;
        webhook_sets: any[];
        subscribed: string[];
        subscribe_calls: { action: 'subscribe' | 'unsubscribe'; productIds: string[] }[];
      },
  };
}

/** SourcePilot's own AliExpress app (the dev values of .dev.vars.example), registered with the fake once. */
export async function ensureAliExpressApp() {
  const app = env as unknown as { ALIEXPRESS_APP_KEY: string; ALIEXPRESS_APP_SECRET: string };
  await fakeControl(env.ALIEXPRESS_API_BASE, 'apps', { app_key: app.ALIEXPRESS_APP_KEY, app_secret: app.ALIEXPRESS_APP_SECRET, ensure: true });
}

/** The merchant answers the fake AliExpress consent screen; answers where AliExpress sends the browser (our callback). */
export async function approveAliExpress(authorizeUrl: string | URL, yes = true): Promise<URL> {
  const url = new URL(authorizeUrl);
  const page = await fetch(url);
  if (page.status !== 200) throw new Error(`fake authorize page: ${page.status}`);
  const html = await page.text();
  const links = [...html.matchAll(/id="(?:approve|cancel)" href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
  const res = await fetch(new URL(links[yes ? 0 : 1], url.origin), { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`fake decide: ${res.status}`);
  return new URL(res.headers.get('Location')!);
}
