import type { FakeShopifyOAuth } from './shopify-oauth';
import type { StoreReply, StoreRequest } from './store-common';

/**
 * The install screen of the fake Shopify (INTEGRATIONS.md §4c): `GET /admin/oauth/authorize`
 * with the app's `client_id`, `scope`, `redirect_uri` and `state` shows what a merchant
 * sees in the Shopify admin (the app, the access it asks for, an "Install" button);
 * installing posts back here and redirects the browser to `redirect_uri` with the code,
 * exactly as `FakeShopifyOAuth.approve` computes it. Several shops share the fake's origin,
 * so the screen lets the merchant pick the shop (the newest one first).
 */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string, status = 200): StoreReply => ({
  status,
  html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#f1f1f1;margin:0}main{max-width:520px;margin:40px auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px #0002}
h1{font-size:20px}li{margin:4px 0}code{background:#f4f4f4;padding:1px 4px;border-radius:4px}button{font-size:15px;padding:10px 18px;border-radius:8px;border:0;background:#303030;color:#fff;cursor:pointer}
select{font-size:15px;padding:6px}.error{color:#8e1f0b}</style></head><body><main>${body}</main></body></html>`,
});

export function installScreen<S extends { name: string; token: string }>(req: StoreRequest, shops: Map<string, S>, oauth: FakeShopifyOAuth<S>, origin: string): StoreReply | null {
  if (req.path !== '/admin/oauth/authorize') return null;
  if (req.method === 'GET') {
    const clientId = req.query.get('client_id') ?? '';
    if (!oauth.apps.has(clientId)) return page('App not found', `<h1 class="error">Oauth error invalid_request: The app couldn’t be found</h1><p>Unknown <code>client_id</code>.</p>`, 400);
    if (!req.query.get('redirect_uri') || !req.query.get('state')) return page('Oauth error', '<h1 class="error">Oauth error invalid_request: redirect_uri and state are required</h1>', 400);
    const list = [...shops.values()].reverse();
    if (!list.length) return page('No store', '<h1 class="error">This fake Shopify has no store yet</h1>', 404);
    const scopes = (req.query.get('scope') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const authorizeUrl = `${origin}${req.path}?${req.query.toString()}`;
    return page(
      'Install app',
      `<h1>Install SourcePilot</h1>
<form method="post" action="/admin/oauth/authorize">
<input type="hidden" name="authorize_url" value="${esc(authorizeUrl)}">
<p><label>Store <select name="shop">${list.map((s) => `<option value="${esc(s.token)}">${esc(s.name)}</option>`).join('')}</select></label></p>
<p>SourcePilot will be able to:</p>
<ul>${scopes.map((s) => `<li><code>${esc(s)}</code></li>`).join('')}</ul>
<p><button type="submit">Install</button></p></form>`,
    );
  }
  if (req.method === 'POST') {
    const form = new URLSearchParams(req.body);
    const shop = shops.get(form.get('shop') ?? '');
    if (!shop) return page('Oauth error', '<h1 class="error">Unknown store</h1>', 400);
    const approved = oauth.approve(shop, form.get('authorize_url') ?? '');
    if (!approved.callback_url) return page('Oauth error', `<h1 class="error">Oauth error invalid_request</h1><p>${esc(approved.error ?? '')}</p>`, 400);
    return { status: 302, headers: { Location: approved.callback_url } };
  }
  return null;
}
