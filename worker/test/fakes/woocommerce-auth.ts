import type { StoreReply, StoreRequest } from './store-common';
import { isObject, parseBody } from './store-common';

/**
 * WooCommerce's app authorization on the fake site (INTEGRATIONS.md §4f; woocommerce
 * `includes/class-wc-auth.php`): `GET /wc-auth/v1/authorize` shows the approve screen
 * for `app_name`, `scope` (read, write, read_write), `user_id`, `return_url` and
 * `callback_url`; approving (`/wc-auth/v1/access_granted`) makes a key pair (a new site
 * of the fake, see `/__control/stores`), POSTs `{key_id, user_id, consumer_key,
 * consumer_secret, key_permissions}` to `callback_url` and, when that does not answer
 * 200, deletes the keys and shows an error without redirecting; on success the browser
 * goes to `return_url?success=1&user_id=…` (denying: `success=0`). Real WooCommerce only
 * calls back over https to a public host on port 80, 443 or 8080; the fake also allows
 * loopback http so the local stack can be the callback.
 *
 * Worker tests cannot be called back from Node (the worker runs in workerd), so:
 *   POST /__control/wc-auth/approve    {authorize_url, name?} → {consumer_key, callback_url, payload, return_url}:
 *                                       the keys are made; the test delivers the payload itself
 *   POST /__control/wc-auth/delivered  {consumer_key, status} → a delivery that did not answer 200 deletes the keys
 *   GET  /__control/wc-auth/:user_id   → {consumer_key} of the keys made for that user_id (the browser flow)
 */

const SCOPES = ['read', 'write', 'read_write'];
const PERMISSIONS: Record<string, string> = { read: 'read', write: 'write', read_write: 'read_write' };
const CALLBACK_TIMEOUT_MS = 60_000;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string, status = 200): StoreReply => ({
  status,
  html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#f0f0f1;margin:0}main{max-width:480px;margin:48px auto;background:#fff;padding:24px;border:1px solid #c3c4c7}
h1{font-size:20px}button{font-size:15px;padding:8px 16px;margin-right:8px;cursor:pointer}.primary{background:#2271b1;color:#fff;border:0}.error{color:#b32d2e}</style></head>
<body><main>${body}</main></body></html>`,
});

interface Params {
  app_name: string;
  scope: string;
  user_id: string;
  return_url: string;
  callback_url: string;
}

function readParams(query: URLSearchParams, delivering = true): Params | string {
  const p = Object.fromEntries(['app_name', 'scope', 'user_id', 'return_url', 'callback_url'].map((k) => [k, query.get(k) ?? ''])) as unknown as Params;
  for (const [k, v] of Object.entries(p)) if (!v) return `Missing parameter ${k}`;
  if (!SCOPES.includes(p.scope)) return 'Invalid scope';
  for (const k of ['return_url', 'callback_url'] as const) {
    try {
      const u = new URL(p[k]);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') return `Invalid ${k}`;
      // wp_safe_remote_post: https to public hosts on 80/443/8080; loopback http allowed here for the local stack.
      if (delivering && k === 'callback_url' && u.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return 'The callback_url needs to be over SSL';
    } catch {
      return `Invalid ${k}`;
    }
  }
  return p;
}

export class FakeWooAuth {
  /** user_id → consumer key made for it. */
  private readonly made = new Map<string, string>();

  constructor(private readonly origin: () => string) {}

  private async makeKeys(name: string) {
    const res = await fetch(`${this.origin()}/__control/stores`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) });
    return (await res.json()) as { consumer_key: string; consumer_secret: string };
  }

  private deleteKeys(key: string) {
    return fetch(`${this.origin()}/__control/stores/${key}`, { method: 'DELETE' });
  }

  private async grant(p: Params, name: string) {
    const keys = await this.makeKeys(name);
    this.made.set(p.user_id, keys.consumer_key);
    const payload = { key_id: Math.floor(Math.random() * 1e6), user_id: p.user_id, consumer_key: keys.consumer_key, consumer_secret: keys.consumer_secret, key_permissions: PERMISSIONS[p.scope] };
    return { keys, payload };
  }

  /** Handles /wc-auth/* and /__control/wc-auth/*; null for anything else. */
  async handle(req: StoreRequest): Promise<StoreReply | null> {
    if (req.path === '/wc-auth/v1/authorize' && req.method === 'GET') {
      const p = readParams(req.query);
      if (typeof p === 'string') return page('Error', `<h1 class="error">Error</h1><p>${esc(p)}</p>`, 400);
      const hidden = Object.entries(p)
        .map(([k, v]) => `<input type="hidden" name="${k}" value="${esc(v)}">`)
        .join('');
      const access = p.scope === 'read_write' ? 'Read/Write' : p.scope === 'read' ? 'Read' : 'Write';
      return page(
        `${p.app_name} would like to connect to your store`,
        `<h1>${esc(p.app_name)} would like to connect to your store</h1>
<p>This will give "${esc(p.app_name)}" <strong>${access}</strong> access which will allow it to:</p>
<ul><li>Create web hooks</li><li>View and manage coupons</li><li>View and manage customers</li><li>View and manage orders and sales reports</li><li>View and manage products</li></ul>
<p>Logged in as <strong>shop-admin</strong></p>
<form method="post" action="/wc-auth/v1/access_granted">${hidden}<label>Store name <input name="store_name" value="Fake Woo store"></label><p>
<button class="primary" type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></p></form>`,
      );
    }
    if (req.path === '/wc-auth/v1/access_granted' && req.method === 'POST') {
      const form = new URLSearchParams(req.body);
      const p = readParams(form);
      if (typeof p === 'string') return page('Error', `<h1 class="error">Error</h1><p>${esc(p)}</p>`, 400);
      const back = new URL(p.return_url);
      back.searchParams.set('success', form.get('decision') === 'approve' ? '1' : '0');
      back.searchParams.set('user_id', p.user_id);
      if (form.get('decision') !== 'approve') return { status: 302, headers: { Location: back.toString() } };
      const { keys, payload } = await this.grant(p, form.get('store_name') || 'Fake Woo store');
      let status = 0;
      try {
        const res = await fetch(p.callback_url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload), redirect: 'manual', signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS) });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      if (status !== 200) {
        await this.deleteKeys(keys.consumer_key);
        this.made.delete(p.user_id);
        return page('Error', `<h1 class="error">Error</h1><p>An error occurred in the request and at the time were unable to send the consumer data.</p>`, 401);
      }
      return { status: 302, headers: { Location: back.toString() } };
    }
    if (req.path === '/__control/wc-auth/approve' && req.method === 'POST') {
      const input = parseBody(req.body);
      if (!isObject(input) || typeof input.authorize_url !== 'string') return { status: 422, body: { error: 'authorize_url is required' } };
      const url = new URL(input.authorize_url);
      if (url.pathname !== '/wc-auth/v1/authorize') return { status: 422, body: { error: 'not an authorize URL' } };
      // The test delivers the keys itself (to the worker in workerd), so the callback host is not checked here.
      const p = readParams(url.searchParams, false);
      if (typeof p === 'string') return { status: 422, body: { error: p } };
      const { keys, payload } = await this.grant(p, typeof input.name === 'string' ? input.name : 'Fake Woo store');
      const back = new URL(p.return_url);
      back.searchParams.set('success', '1');
      back.searchParams.set('user_id', p.user_id);
      return { body: { consumer_key: keys.consumer_key, callback_url: p.callback_url, payload, return_url: back.toString() } };
    }
    if (req.path === '/__control/wc-auth/delivered' && req.method === 'POST') {
      const input = parseBody(req.body);
      if (!isObject(input) || typeof input.consumer_key !== 'string') return { status: 422, body: { error: 'consumer_key is required' } };
      if (Number(input.status) !== 200) await this.deleteKeys(input.consumer_key);
      return { body: { deleted: Number(input.status) !== 200 } };
    }
    const made = /^\/__control\/wc-auth\/([^/]+)$/.exec(req.path);
    if (made && req.method === 'GET') {
      const key = this.made.get(decodeURIComponent(made[1]));
      return key ? { body: { consumer_key: key } } : { status: 404, body: { error: 'no keys were made for that user_id' } };
    }
    return null;
  }
}
