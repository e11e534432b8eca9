import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StartedFake } from './index';

/**
 * A fake Stripe API (the v1 form-encoded REST API) for the billing tests: customers,
 * Checkout Sessions, Billing Portal sessions and subscription reads. It checks what
 * stripe-node sends the way Stripe does (Bearer secret key, Stripe-Version, form
 * bodies, idempotency keys, known prices and customers) and answers with realistic
 * objects and Stripe's error envelope.
 *
 * State is partitioned by secret key, so concurrent test files each use their own
 * `sk_test_…` and never see each other. Control endpoints (JSON):
 * - POST /__control/setup {api_key, prices?: string[], delay_ms?: number, idempotency?: boolean,
 *                          fail?: {path, status, type, message}}
 * - POST /__control/subscriptions {api_key, subscription}  (served by GET /v1/subscriptions/:id)
 * - POST /__control/complete-session {api_key, session_id}  the customer pays an open Checkout
 *   Session: it becomes complete with a new subscription (answers the session, or 400 when not open)
 * - GET  /__control/sessions?api_key=…   Checkout Sessions created with that key
 * - GET  /__control/requests?api_key=…   every API request received with that key
 * - GET  /__control/customers?api_key=…  customers created with that key
 */

interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The raw form fields, e.g. {"line_items[0][price]": "price_pro"}. */
  form: Record<string, string>;
  /** The same fields decoded into Stripe's nested shape. */
  body: Record<string, unknown>;
}

interface Account {
  prices: Set<string>;
  delayMs: number;
  /** false: behave as after Stripe's 24-hour idempotency window (every key is new). */
  idempotent: boolean;
  fail: { path: string; status: number; type: string; message: string } | null;
  requests: Received[];
  customers: Map<string, Record<string, unknown>>;
  subscriptions: Map<string, Record<string, unknown>>;
  sessions: Map<string, Record<string, unknown>>;
  /** Idempotency-Key → the request's form and its stored (or pending) response. */
  idempotency: Map<string, { form: string; response: Promise<[number, unknown]> | null; done?: [number, unknown] }>;
}

const accounts = new Map<string, Account>();

function account(key: string): Account {
  let a = accounts.get(key);
  if (!a) {
    a = { prices: new Set(), delayMs: 0, idempotent: true, fail: null, requests: [], customers: new Map(), subscriptions: new Map(), sessions: new Map(), idempotency: new Map() };
    accounts.set(key, a);
  }
  return a;
}

const id = (prefix: string, n = 14) => `${prefix}${randomBytes(n).toString('hex').slice(0, n)}`;
const now = () => Math.floor(Date.now() / 1000);

class StripeFail extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const missing = (param: string) => new StripeFail(400, 'invalid_request_error', `Missing required param: ${param}.`, param, 'parameter_missing');
const noSuch = (what: string, value: string, param: string) =>
  new StripeFail(400, 'invalid_request_error', `No such ${what}: '${value}'`, param, 'resource_missing');

/** Decodes Stripe's bracket form encoding (`a[b][0][c]=v`) into nested objects and arrays. */
export function decodeForm(fields: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const parts = [...key.matchAll(/([^[\]]+)|\[([^[\]]*)\]/g)].map((m) => m[1] ?? m[2]);
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(parts[i + 1]);
      const slot = Array.isArray(node) ? Number(part) : part;
      const container = node as Record<string | number, unknown>;
      if (last) container[slot] = value;
      else {
        container[slot] ??= nextIsIndex ? [] : {};
        node = container[slot] as Record<string, unknown> | unknown[];
      }
    });
  }
  return root;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': id('req_'), ...headers });
  res.end(JSON.stringify(body));
}

const metadataOf = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, string>) : {});

function createCustomer(acct: Account, body: Record<string, unknown>) {
  const customer = {
    id: id('cus_'),
    object: 'customer',
    address: null,
    balance: 0,
    created: now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    email: typeof body.email === 'string' ? body.email : null,
    invoice_prefix: randomBytes(4).toString('hex').toUpperCase(),
    livemode: false,
    metadata: metadataOf(body.metadata),
    name: null,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
  };
  acct.customers.set(customer.id, customer);
  return customer;
}

function createCheckoutSession(acct: Account, body: Record<string, unknown>) {
  const mode = body.mode;
  if (!mode) throw missing('mode');
  if (!['payment', 'setup', 'subscription'].includes(String(mode))) {
    throw new StripeFail(400, 'invalid_request_error', `Invalid mode: must be one of payment, setup, or subscription`, 'mode');
  }
  if (!body.success_url) throw missing('success_url');
  const customer = body.customer ? String(body.customer) : null;
  if (customer && !acct.customers.has(customer)) throw noSuch('customer', customer, 'customer');
  const items = Array.isArray(body.line_items) ? (body.line_items as Record<string, unknown>[]) : [];
  if (mode === 'subscription' && items.length === 0) throw missing('line_items');
  items.forEach((item, i) => {
    const price = String(item?.price ?? '');
    if (!price) throw missing(`line_items[${i}][price]`);
    if (!acct.prices.has(price)) throw noSuch('price', price, `line_items[${i}][price]`);
    if (!/^[1-9]\d*$/.test(String(item.quantity ?? ''))) throw missing(`line_items[${i}][quantity]`);
  });
  const subscriptionData = (body.subscription_data ?? {}) as Record<string, unknown>;
  if (subscriptionData.trial_period_days !== undefined && !/^[1-9]\d*$/.test(String(subscriptionData.trial_period_days))) {
    throw new StripeFail(400, 'invalid_request_error', 'Invalid integer: subscription_data[trial_period_days]', 'subscription_data[trial_period_days]');
  }
  const sessionId = `cs_test_${randomBytes(24).toString('hex')}`;
  const session: Record<string, unknown> = {
    id: sessionId,
    object: 'checkout.session',
    cancel_url: body.cancel_url ?? null,
    client_reference_id: body.client_reference_id ?? null,
    created: now(),
    currency: 'usd',
    customer,
    expires_at: now() + 24 * 3600,
    livemode: false,
    metadata: metadataOf(body.metadata),
    mode,
    payment_status: 'unpaid',
    status: 'open',
    subscription: null,
    success_url: body.success_url,
    ui_mode: 'hosted',
    url: `https://checkout.stripe.com/c/pay/${sessionId}`,
  };
  acct.sessions.set(sessionId, session);
  return session;
}

/** Stripe refuses to expire a session that is not open; an expired one can no longer be paid. */
function expireCheckoutSession(acct: Account, sessionId: string) {
  const session = acct.sessions.get(sessionId);
  if (!session) throw noSuch('checkout.session', sessionId, 'session');
  if (session.status !== 'open') {
    throw new StripeFail(400, 'invalid_request_error', `Only Checkout Sessions with a status of \`open\` can be expired. This Checkout Session has a status of \`${session.status}\`.`);
  }
  Object.assign(session, { status: 'expired', url: null });
  return session;
}

/** The customer pays: an open session completes and creates its subscription. */
function completeCheckoutSession(acct: Account, sessionId: string): [number, unknown] {
  const session = acct.sessions.get(sessionId);
  if (!session || session.status !== 'open') return [400, { error: `session ${sessionId} is not open` }];
  const subscription = id('sub_');
  acct.subscriptions.set(subscription, { id: subscription, object: 'subscription', customer: session.customer, status: 'trialing' });
  Object.assign(session, { status: 'complete', payment_status: 'paid', subscription, url: null });
  return [200, session];
}

function createPortalSession(acct: Account, body: Record<string, unknown>) {
  if (!body.customer) throw missing('customer');
  const customer = String(body.customer);
  if (!acct.customers.has(customer)) throw noSuch('customer', customer, 'customer');
  return {
    id: id('bps_'),
    object: 'billing_portal.session',
    configuration: id('bpc_'),
    created: now(),
    customer,
    livemode: false,
    locale: null,
    return_url: body.return_url ?? null,
    url: `https://billing.stripe.com/p/session/test_${randomBytes(16).toString('hex')}`,
  };
}

/** Routes one authenticated API call; throws StripeFail for Stripe's error answers. */
function route(acct: Account, method: string, path: string, body: Record<string, unknown>): [number, unknown] {
  let m: RegExpExecArray | null;
  if (method === 'POST' && path === '/v1/customers') return [200, createCustomer(acct, body)];
  if (method === 'DELETE' && (m = /^\/v1\/customers\/([^/]+)$/.exec(path))) {
    if (!acct.customers.delete(m[1])) throw noSuch('customer', m[1], 'id');
    return [200, { id: m[1], object: 'customer', deleted: true }];
  }
  if (method === 'POST' && path === '/v1/checkout/sessions') return [200, createCheckoutSession(acct, body)];
  if (method === 'POST' && (m = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path))) return [200, expireCheckoutSession(acct, m[1])];
  if (method === 'GET' && (m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path))) {
    const session = acct.sessions.get(m[1]);
    if (!session) throw noSuch('checkout.session', m[1], 'session');
    return [200, session];
  }
  if (method === 'POST' && path === '/v1/billing_portal/sessions') return [200, createPortalSession(acct, body)];
  if (method === 'GET' && (m = /^\/v1\/subscriptions\/([^/]+)$/.exec(path))) {
    const sub = acct.subscriptions.get(m[1]);
    if (!sub) throw noSuch('subscription', m[1], 'id');
    return [200, sub];
  }
  throw new StripeFail(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
}

async function api(req: IncomingMessage, res: ServerResponse, url: URL) {
  const auth = /^Bearer (sk_(?:test|live)_[A-Za-z0-9_]+)$/.exec(req.headers.authorization ?? '');
  if (!auth) {
    return send(res, 401, {
      error: { type: 'invalid_request_error', message: 'Invalid API Key provided. Send it as a Bearer token (Authorization: Bearer sk_...).' },
    });
  }
  const version = req.headers['stripe-version'];
  if (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(version)) {
    return send(res, 400, { error: { type: 'invalid_request_error', message: `Invalid Stripe API version: ${version ?? '(none)'}` } });
  }
  const acct = account(auth[1]);
  const raw = await readBody(req);
  const method = req.method ?? 'GET';
  if (method === 'POST' && raw && !(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return send(res, 400, { error: { type: 'invalid_request_error', message: 'Request bodies must be form-encoded (application/x-www-form-urlencoded).' } });
  }
  const form = Object.fromEntries(new URLSearchParams(raw));
  const body = decodeForm(form);
  const headers: Record<string, string> = {};
  for (const h of ['authorization', 'stripe-version', 'idempotency-key', 'content-type', 'user-agent']) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  acct.requests.push({ method, path: url.pathname, headers, form, body });

  if (acct.fail && acct.fail.path === url.pathname) {
    const { status, type, message } = acct.fail;
    return send(res, status, { error: { type, message } }, { 'Stripe-Should-Retry': 'false' });
  }

  const run = async (): Promise<[number, unknown]> => {
    if (acct.delayMs) await new Promise((r) => setTimeout(r, acct.delayMs));
    try {
      return route(acct, method, url.pathname, body);
    } catch (err) {
      if (!(err instanceof StripeFail)) throw err;
      return [err.status, { error: { type: err.type, message: err.message, ...(err.param ? { param: err.param } : {}), ...(err.code ? { code: err.code } : {}) } }];
    }
  };

  // Stripe's idempotency: a key in flight → 409, a finished key → the stored answer replayed,
  // a key reused with other parameters → 400.
  const key = req.headers['idempotency-key'];
  if (method === 'POST' && typeof key === 'string' && key && acct.idempotent) {
    const known = acct.idempotency.get(key);
    if (known) {
      if (known.form !== raw) {
        return send(res, 400, {
          error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with.` },
        });
      }
      if (!known.done) {
        return send(res, 409, {
          error: { type: 'idempotency_error', code: 'idempotency_key_in_use', message: 'There is currently another in-progress request using this Stripe token.' },
        });
      }
      return send(res, known.done[0], known.done[1], { 'Idempotent-Replayed': 'true', 'Idempotency-Key': key });
    }
    const entry: { form: string; response: Promise<[number, unknown]> | null; done?: [number, unknown] } = { form: raw, response: null };
    acct.idempotency.set(key, entry);
    entry.response = run();
    entry.done = await entry.response;
    return send(res, entry.done[0], entry.done[1], { 'Idempotency-Key': key });
  }
  const [status, payload] = await run();
  return send(res, status, payload);
}

async function control(req: IncomingMessage, res: ServerResponse, url: URL) {
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  const key = String(body.api_key ?? url.searchParams.get('api_key') ?? '');
  if (!key) return send(res, 400, { error: 'api_key required' });
  const acct = account(key);
  switch (`${req.method} ${url.pathname}`) {
    case 'POST /__control/setup':
      if (Array.isArray(body.prices)) acct.prices = new Set(body.prices.map(String));
      if (typeof body.delay_ms === 'number') acct.delayMs = body.delay_ms;
      if (typeof body.idempotency === 'boolean') acct.idempotent = body.idempotency;
      if (body.fail !== undefined) acct.fail = body.fail;
      return send(res, 200, { ok: true });
    case 'POST /__control/subscriptions':
      acct.subscriptions.set(String(body.subscription.id), body.subscription);
      return send(res, 200, { ok: true });
    case 'GET /__control/requests':
      return send(res, 200, acct.requests);
    case 'GET /__control/customers':
      return send(res, 200, [...acct.customers.values()]);
    case 'POST /__control/complete-session': {
      const [status, payload] = completeCheckoutSession(acct, String(body.session_id));
      return send(res, status, payload);
    }
    case 'GET /__control/sessions':
      return send(res, 200, [...acct.sessions.values()]);
    default:
      return send(res, 404, { error: 'unknown control endpoint' });
  }
}

export async function startFakeStripe(): Promise<StartedFake> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const handler = url.pathname.startsWith('/__control/') ? control : api;
    handler(req, res, url).catch((err) => send(res, 500, { error: { type: 'api_error', message: String(err) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    bindings: { FAKE_STRIPE_URL: `http://127.0.0.1:${port}` },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
