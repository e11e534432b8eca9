import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { createDb, type Db } from '../db/client';
import { users } from '../db/schema';

const BASE = 'http://sourcepilot.test/api/v1';

let ipCounter = Math.floor(Math.random() * 200);

/** A distinct client address per test user, so per-IP auth limits don't couple tests. */
export const freshIp = () => `10.${Math.floor(Math.random() * 250)}.${ipCounter++ % 250}.${Math.floor(Math.random() * 250)}`;

export const uniqueEmail = (tag = 'user') => `${tag}-${crypto.randomUUID().slice(0, 12)}@example.com`;

export interface CallOptions {
  method?: string;
  body?: unknown;
  rawBody?: string;
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

/** Calls the worker through SELF.fetch; returns the response and its parsed JSON. */
export async function call(path: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { 'CF-Connecting-IP': freshIp(), ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['X-API-Key'] = opts.apiKey;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['Content-Type'] ??= 'application/json';
  const res = await SELF.fetch(`${BASE}${path}`, { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let json: any = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
  }
  return { res, status: res.status, json, roundTrips: Number(res.headers.get('X-DB-Round-Trips') ?? NaN) };
}

export interface TestUser {
  email: string;
  password: string;
  token: string;
  refresh: string;
  id: string;
}

/** Registers a fresh user and returns its tokens and id. */
export async function registerUser(tag = 'user'): Promise<TestUser> {
  const email = uniqueEmail(tag);
  const password = 'correct horse battery';
  const reg = await call('/auth/register', { body: { email, password } });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.json)}`);
  const me = await call('/auth/me', { token: reg.json.access_token });
  return { email, password, token: reg.json.access_token, refresh: reg.json.refresh_token, id: me.json.id };
}

/** Direct database access for arranging and asserting state (the real Postgres). */
export async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const { db, pool } = createDb(env);
  try {
    return await fn(db);
  } finally {
    await pool.end();
  }
}

export const setPlan = (userId: string, plan: 'free' | 'pro' | 'enterprise') =>
  withDb((db) => db.update(users).set({ plan }).where(eq(users.id, userId)));

/** A user on a paid plan with an API key of the given scopes. */
export async function userWithKey(scopes: string[] = ['read', 'write'], plan: 'pro' | 'enterprise' = 'pro') {
  const user = await registerUser('keyed');
  await setPlan(user.id, plan);
  const created = await call('/api-keys', { token: user.token, body: { name: 'automation', scopes } });
  if (created.status !== 201) throw new Error(`key creation failed: ${created.status} ${JSON.stringify(created.json)}`);
  return { ...user, apiKey: created.json.key as string, keyId: created.json.id as string };
}
