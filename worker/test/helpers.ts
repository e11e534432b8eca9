import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { hc, type ClientResponse } from 'hono/client';
import type { AppType } from '../app';
import { createDb, type Db } from '../db/client';
import { users } from '../db/schema';
import { connectionSecret, decryptSecret, encryptSecret } from '../lib/secrets';

const ORIGIN = 'http://sourcepilot.test';
const BASE = `${ORIGIN}/api/v1`;

let ipCounter = Math.floor(Math.random() * 200);

/** A distinct client address per test user, so per-IP auth limits don't couple tests. */
export const freshIp = () => `10.${Math.floor(Math.random() * 250)}.${ipCounter++ % 250}.${Math.floor(Math.random() * 250)}`;

export const uniqueEmail = (tag = 'user') => `${tag}-${crypto.randomUUID().slice(0, 12)}@example.com`;

/** Who calls: a bearer token, an API key, extra headers. Each request gets its own client address. */
export interface Caller {
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

function headersOf(caller: Caller): Record<string, string> {
  const headers: Record<string, string> = { 'CF-Connecting-IP': freshIp(), ...caller.headers };
  if (caller.token) headers.Authorization = `Bearer ${caller.token}`;
  if (caller.apiKey) headers['X-API-Key'] = caller.apiKey;
  return headers;
}

/**
 * The worker's API as the dashboard sees it (`hc<AppType>` over SELF.fetch), so requests
 * and success bodies type-check against the routes: `api({ token }).imports.$post({ json })`.
 */
export const api = (caller: Caller = {}) =>
  hc<AppType>(ORIGIN, { fetch: (input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(input, init), headers: () => headersOf(caller) }).api.v1;

/**
 * What error answers carry. Routes throw their errors, so the typed client knows only the
 * success bodies; `detail` is a sentence for a refusal and an issue list for a 422, and
 * the assertions index into either.
 */
type Problem = { detail?: any; request_id?: string };
type Body<R> = R extends ClientResponse<infer T, number, 'json'> ? T : R extends ClientResponse<unknown, number, string> ? null : never;
type WithProblem<T> = T extends object ? T & Problem : T;

export interface Answer<R> {
  res: Response;
  status: number;
  /** The parsed body: the route's success body, or an error's `{detail}`. */
  json: WithProblem<Body<R>>;
  roundTrips: number;
}

async function parsed(res: Response) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const roundTripsOf = (res: Response) => Number(res.headers.get('X-DB-Round-Trips') ?? NaN);

/** Awaits a typed call: the response, its status, its parsed body and the database round trips it took. */
export async function answer<R extends ClientResponse<unknown, number, string>>(request: Promise<R>): Promise<Answer<R>> {
  const res = (await request) as unknown as Response;
  return { res, status: res.status, json: (await parsed(res)) as WithProblem<Body<R>>, roundTrips: roundTripsOf(res) };
}

export interface RawCallOptions extends Caller {
  method?: string;
  body?: unknown;
  rawBody?: string;
}

/**
 * The untyped escape hatch, for requests the contract does not allow: malformed or hostile
 * bodies, wrong methods, unknown paths, raw webhook payloads. Everything else goes through `api`.
 */
export async function rawCall(path: string, opts: RawCallOptions = {}) {
  const headers = headersOf(opts);
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['Content-Type'] ??= 'application/json';
  const res = await SELF.fetch(`${BASE}${path}`, { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const json: any = await parsed(res);
  return { res, status: res.status, json, roundTrips: roundTripsOf(res) };
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
  const reg = await answer(api().auth.register.$post({ json: { email, password } }));
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.json)}`);
  const me = await answer(api({ token: reg.json.access_token }).auth.me.$get());
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
export async function userWithKey(scopes: ('read' | 'write')[] = ['read', 'write'], plan: 'pro' | 'enterprise' = 'pro') {
  const user = await registerUser('keyed');
  await setPlan(user.id, plan);
  const created = await answer(api({ token: user.token })['api-keys'].$post({ json: { name: 'automation', scopes } }));
  if (created.status !== 201) throw new Error(`key creation failed: ${created.status} ${JSON.stringify(created.json)}`);
  return { ...user, apiKey: created.json.key, keyId: created.json.id };
}

/** @deprecated Untyped; the test files not yet moved to `api` + `answer` or `rawCall` still use it. */
export const call = rawCall;

/**
 * A store connection row that exists only in the test: random ids, and the credential
 * encrypted bound to them (lib/secrets.ts), as connectorFor expects a stored one.
 */
export async function sealedConnection(platform: string, storeUrl: string, secret: string, extra: { authType?: string; status?: string } = {}) {
  const row = { id: crypto.randomUUID(), userId: crypto.randomUUID() };
  return { ...row, platform, storeUrl, apiKey: await encryptSecret(env.ENCRYPTION_KEY, secret, connectionSecret('api_key', row)), ...extra };
}

/** The plaintext of a store connection's stored `api_key` (or `refresh_token`), opened with its row's binding. */
export const openConnectionSecret = (row: { id: string; userId: string }, value: string, column: 'api_key' | 'refresh_token' | 'client_secret' = 'api_key') =>
  decryptSecret(env.ENCRYPTION_KEY, value, connectionSecret(column, row));

/**
 * Rate-limit windows are aligned to the wall clock (Cloudflare's and miniflare's
 * fixed windows: epoch = floor(now / period)). A test that sends a limit's worth of
 * requests and expects the next one refused starts early enough in a window that the
 * burst cannot straddle two (which would reset the count mid-burst).
 */
export async function startOfRateWindow(periodSeconds = 60, needMs = 12_000): Promise<void> {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}
