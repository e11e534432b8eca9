import { hc, type ClientResponse, type InferRequestType, type InferResponseType } from 'hono/client';
import type { AppType } from '../../../worker/app';
import { ApiError } from './errors';
import { session } from './session';

/**
 * Empty in development and when Pages serves the API on the same origin; set
 * VITE_API_ORIGIN when the dashboard and the worker live on different hosts.
 */
const API_ORIGIN: string = import.meta.env.VITE_API_ORIGIN ?? '';

/** The worker's API reference page (Scalar over GET /api/v1/openapi.json); public. */
export const API_DOCS_URL = `${API_ORIGIN}/api/v1/docs`;

/** Routes that authenticate by what they are sent, so a 401 there is an answer, not an expired session. */
const PUBLIC_AUTH = /\/api\/v1\/auth\/(login|register|refresh|forgot-password)(\?|$)/;

type RefreshOutcome = 'refreshed' | 'rejected' | 'unreachable';
let pendingRefresh: Promise<RefreshOutcome> | null = null;

/** One refresh at a time: parallel queries that all hit 401 share it. */
function refreshSession(): Promise<RefreshOutcome> {
  pendingRefresh ??= (async (): Promise<RefreshOutcome> => {
    const refreshToken = session.refreshToken();
    if (!refreshToken) return 'rejected';
    const res = await client.api.v1.auth.refresh.$post({ json: { refresh_token: refreshToken } }).catch(() => null);
    if (!res) return 'unreachable';
    // The typed client only knows the 200; failures arrive as plain status codes.
    const status: number = res.status;
    if (status === 200) {
      session.store(await res.json());
      return 'refreshed';
    }
    // A 5xx or 429 says nothing about the token; keep the session and let the call fail.
    return status === 401 ? 'rejected' : 'unreachable';
  })().finally(() => {
    pendingRefresh = null;
  });
  return pendingRefresh;
}

function requestUrl(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/**
 * Adds the bearer token; on a 401 from a protected route refreshes the pair once and
 * retries. A refused refresh ends the session, which sends the user to /login.
 */
async function authFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const isPublic = PUBLIC_AUTH.test(requestUrl(input));
  const send = () => {
    const headers = new Headers(init?.headers);
    const token = session.accessToken();
    if (token && !isPublic) headers.set('Authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };

  const res = await send();
  if (res.status !== 401 || isPublic) return res;

  const outcome = await refreshSession();
  if (outcome === 'refreshed') return send();
  if (outcome === 'rejected') session.clear();
  return res;
}

const client = hc<AppType>(`${API_ORIGIN}/`, { fetch: authFetch });

/** The typed API, rooted at /api/v1. */
export const api = client.api.v1;

/**
 * Awaits a typed call and returns its body, or throws an ApiError carrying the API's
 * `detail`. Network failures become an ApiError with status 0.
 */
export async function unwrap<T>(call: Promise<ClientResponse<T>>): Promise<T> {
  let res: ClientResponse<T>;
  try {
    res = await call;
  } catch {
    throw new ApiError(0, undefined);
  }
  if (res.ok) {
    if (res.status === 204) return undefined as T;
    return res.json() as Promise<T>;
  }
  let detail: unknown;
  try {
    detail = ((await res.json()) as { detail?: unknown } | null)?.detail;
  } catch {
    // A proxy error page or an empty body: the status alone has to do.
  }
  throw new ApiError(res.status, detail);
}

export type User = InferResponseType<typeof api.auth.me.$get, 200>;
export type Plan = User['plan'];
export type Usage = InferResponseType<typeof api.usage.$get, 200>;
export type ApiKey = InferResponseType<(typeof api)['api-keys']['$get'], 200>[number];
export type CreatedApiKey = InferResponseType<(typeof api)['api-keys']['$post'], 201>;
export type ApiKeyScope = NonNullable<InferRequestType<(typeof api)['api-keys']['$post']>['json']['scopes']>[number];
