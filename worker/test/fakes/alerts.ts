import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StartedFake } from './index';
import { parseJson, startJsonServer, type FakeRequest, type FakeResponse } from './server';

/**
 * Fake alert endpoints on one server:
 *
 * - An HTTP email API in the Resend format: `POST /emails` with `Authorization: Bearer
 *   <key>` and `{from, to: [address] | address, subject, html, text?}`; answers
 *   `{id}`, 401 for a missing or wrong key, 422 for a malformed body (Resend's shapes).
 * - A webhook receiver: `POST /hooks/:token` verifies `X-SourcePilot-Signature` (hex
 *   HMAC-SHA256 of `${X-SourcePilot-Timestamp}.${raw body}` with the registered secret)
 *   and a timestamp within 5 minutes; 401 otherwise.
 *
 * State is per recipient address and per hook token, so parallel test files never mix:
 *   GET  /__control/emails?to=…                   → {attempts, emails: [{from,to,subject,html,text}]}
 *   POST /__control/emails/fail {to, status, times}
 *   POST /__control/emails/clear {to}             empties the mailbox (a test that has read the confirmation)
 *   POST /__control/hooks {token?, secret}        → {token, url}
 *   GET  /__control/hooks/:token                  → {attempts, deliveries: [{headers, body, signature_valid}]}
 *   POST /__control/hooks/:token/fail {status, times, location?}   (location: sent as the Location header)
 */

const API_KEY = `re_fake_${randomBytes(12).toString('hex')}`;
const EMAIL_FROM = 'SourcePilot Alerts <alerts@sourcepilot.test>';

interface Failure {
  status: number;
  times: number;
  location?: string;
}

interface Mailbox {
  attempts: number;
  emails: { from: string; to: string[]; subject: string; html: string; text: string | null }[];
  failure: Failure | null;
}

interface Hook {
  secret: string;
  attempts: number;
  deliveries: { headers: Record<string, string>; body: unknown; signature_valid: boolean; at: number }[];
  failure: Failure | null;
}

const mailboxes = new Map<string, Mailbox>();
const hooks = new Map<string, Hook>();

const mailbox = (to: string) => {
  let m = mailboxes.get(to);
  if (!m) mailboxes.set(to, (m = { attempts: 0, emails: [], failure: null }));
  return m;
};

/** Consumes one configured failure, if any. */
function takeFailure(target: { failure: Failure | null }): Failure | null {
  const f = target.failure;
  if (!f) return null;
  if (--f.times <= 0) target.failure = null;
  return f;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function handleEmail(req: FakeRequest): FakeResponse {
  if (req.method !== 'POST') return { status: 405, body: { statusCode: 405, name: 'method_not_allowed', message: 'Method not allowed' } };
  if (req.headers.authorization !== `Bearer ${API_KEY}`) {
    return { status: 401, body: { statusCode: 401, name: 'missing_api_key', message: 'Missing or invalid API key in the authorization header' } };
  }
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return { status: 422, body: { statusCode: 422, name: 'validation_error', message: 'Content-Type must be application/json' } };
  }
  const body = parseJson(req.body);
  const to = Array.isArray(body.to) ? body.to : typeof body.to === 'string' ? [body.to] : [];
  const invalid = (message: string): FakeResponse => ({ status: 422, body: { statusCode: 422, name: 'validation_error', message } });
  if (typeof body.from !== 'string' || !body.from.trim()) return invalid('The `from` field is required');
  if (!to.length || !to.every((t): t is string => typeof t === 'string' && EMAIL.test(t))) return invalid('The `to` field must hold valid addresses');
  if (typeof body.subject !== 'string' || !body.subject) return invalid('The `subject` field is required');
  if (typeof body.html !== 'string' && typeof body.text !== 'string') return invalid('Either `html` or `text` is required');
  const box = mailbox(to[0]);
  box.attempts++;
  const failure = takeFailure(box);
  if (failure) return { status: failure.status, body: { statusCode: failure.status, name: 'application_error', message: 'Something went wrong' } };
  box.emails.push({ from: body.from, to, subject: body.subject, html: String(body.html ?? ''), text: typeof body.text === 'string' ? body.text : null });
  return { body: { id: crypto.randomUUID() } };
}

function verify(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}

function handleHook(req: FakeRequest, token: string): FakeResponse {
  const hook = hooks.get(token);
  if (!hook) return { status: 404, body: { error: 'unknown hook' } };
  if (req.method !== 'POST') return { status: 405, body: { error: 'POST only' } };
  hook.attempts++;
  const timestamp = String(req.headers['x-sourcepilot-timestamp'] ?? '');
  const signature = String(req.headers['x-sourcepilot-signature'] ?? '');
  const fresh = /^\d+$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
  const valid = fresh && verify(hook.secret, timestamp, req.body, signature);
  const headers = Object.fromEntries(
    Object.entries(req.headers)
      .filter(([k]) => k.startsWith('x-sourcepilot-') || k === 'content-type' || k === 'user-agent')
      .map(([k, v]) => [k, String(v)]),
  );
  if (!valid) return { status: 401, body: { error: 'invalid signature' } };
  const failure = takeFailure(hook);
  if (failure) return { status: failure.status, body: { error: 'receiver failure' }, headers: failure.location ? { Location: failure.location } : undefined };
  hook.deliveries.push({ headers, body: parseJson(req.body), signature_valid: valid, at: Date.now() });
  return { body: { ok: true } };
}

function control(req: FakeRequest, origin: string): FakeResponse {
  const body = parseJson(req.body);
  if (req.path === '/__control/emails') {
    const box = mailbox(String(req.query.get('to') ?? ''));
    return { body: { attempts: box.attempts, emails: box.emails } };
  }
  if (req.path === '/__control/emails/clear') {
    mailboxes.delete(String(body.to));
    return { body: { ok: true } };
  }
  if (req.path === '/__control/emails/fail') {
    mailbox(String(body.to)).failure = { status: Number(body.status ?? 500), times: Number(body.times ?? 1) };
    return { body: { ok: true } };
  }
  if (req.path === '/__control/hooks' && req.method === 'POST') {
    const token = typeof body.token === 'string' && body.token ? body.token : randomBytes(8).toString('hex');
    hooks.set(token, { secret: String(body.secret ?? ''), attempts: 0, deliveries: [], failure: null });
    return { body: { token, url: `${origin}/hooks/${token}` } };
  }
  const m = /^\/__control\/hooks\/([^/]+)(\/fail|\/secret)?$/.exec(req.path);
  const hook = m ? hooks.get(m[1]) : undefined;
  if (!m || !hook) return { status: 404, body: { error: 'unknown control path or hook' } };
  if (m[2] === '/fail') {
    hook.failure = { status: Number(body.status ?? 500), times: Number(body.times ?? 1), ...(typeof body.location === 'string' ? { location: body.location } : {}) };
    return { body: { ok: true } };
  }
  if (m[2] === '/secret') {
    hook.secret = String(body.secret ?? '');
    return { body: { ok: true } };
  }
  return { body: { attempts: hook.attempts, deliveries: hook.deliveries } };
}

export async function startAlertsFake(): Promise<StartedFake> {
  let origin = '';
  const server = await startJsonServer((req) => {
    if (req.path.startsWith('/__control/')) return control(req, origin);
    if (req.path === '/emails') return handleEmail(req);
    const hook = /^\/hooks\/([^/]+)$/.exec(req.path);
    if (hook) return handleHook(req, hook[1]);
    return { status: 404, body: { error: 'not found' } };
  });
  origin = server.origin;
  return { bindings: { EMAIL_API_URL: `${server.origin}/emails`, EMAIL_API_KEY: API_KEY, EMAIL_FROM }, stop: server.stop };
}
