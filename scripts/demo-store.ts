/**
 * The demo store of `npm run dev`: a local Shopify-compatible shop a newcomer can
 * connect, import into and look at, with no account anywhere. It is the worker tests'
 * strict Shopify fake (worker/test/fakes/shopify.ts: Shopify's published Admin schema,
 * scopes, expiring and rotating tokens) on a free port, with one shop, fronted on a
 * fixed port (DEMO_STORE_PORT, default 8190) by this server, which adds what a
 * merchant sees:
 *
 *   GET  /                          the store's home: links to the products and the app
 *   GET  /products                  every product SourcePilot pushed: title, pictures, variants, prices
 *   GET  /admin/oauth/authorize     the install screen ("Install SourcePilot?" with the scopes asked)
 *   POST /admin/oauth/authorize     Install: back to the app's redirect_uri with a signed code, as Shopify does
 *   GET  /apps/sourcepilot          "Open SourcePilot": the app URL with shop, host, timestamp and Shopify's hmac
 *   POST /admin/oauth/access_token  \
 *   POST /admin/api/{v}/graphql.json  passed to the fake as they are
 *
 * The shop's address is this server's origin (`http://127.0.0.1:8190`), which is what a
 * merchant types as the shop. State lives in memory for the dev session: after a
 * restart, reconnect the demo store (the connection shows Reconnect).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { startFakeShopify } from '../worker/test/fakes/shopify';
import { SHOPIFY_SCOPES } from '../worker/shared/shopify-scopes';

export const DEMO_STORE_NAME = 'SourcePilot Demo Store';

export interface DemoStoreOptions {
  port: number;
  /** SourcePilot's Shopify app (SHOPIFY_API_KEY / SHOPIFY_API_SECRET of .dev.vars). */
  clientId: string;
  clientSecret: string;
  /** The app URL Shopify opens ("Open SourcePilot"): SourcePilot's /connections/shopify/launch. */
  appUrl: string;
}

interface DemoProduct {
  id: string;
  title: string;
  status: string;
  tags: string[];
  images: string[];
  variants: { options: Record<string, string>; price: string; compare_at_price: string | null; sku: string | null; inventory: number | null; image: string | null }[];
}

const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const httpUrl = (v: string | null) => (v && /^https?:\/\//i.test(v) ? v : null);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · ${DEMO_STORE_NAME}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f6f7;color:#202223}
header{background:#1a1a1a;color:#fff;padding:12px 24px;display:flex;gap:20px;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header strong{margin-right:auto}
main{max-width:1000px;margin:24px auto;padding:0 16px}
.card{background:#fff;border-radius:12px;box-shadow:0 1px 2px rgba(0,0,0,.12);padding:20px;margin-bottom:16px}
.badge{display:inline-block;background:#ffd79d;color:#4a3300;border-radius:8px;padding:2px 8px;font-size:12px;margin-left:8px}
.pics{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0}.pics img{width:120px;height:120px;object-fit:cover;border-radius:8px;border:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eee}
td img{width:32px;height:32px;border-radius:4px;vertical-align:middle}
.btn{display:inline-block;background:#008060;color:#fff;border:0;border-radius:8px;padding:10px 18px;font-size:15px;cursor:pointer;text-decoration:none}
.btn.secondary{background:#e3e3e3;color:#202223}
ul.scopes li{margin:4px 0}code{background:#f1f1f1;padding:1px 4px;border-radius:4px}
</style></head><body>
<header><strong>${DEMO_STORE_NAME}<span class="badge">demo</span></strong><a href="/">Home</a><a href="/products">Products</a><a href="/apps/sourcepilot">Open SourcePilot</a></header>
<main>${body}</main></body></html>`;
}

function productsPage(products: DemoProduct[]): string {
  if (!products.length) {
    return page('Products', `<h1>Products</h1><div class="card"><p>No products yet. Import a product in SourcePilot into this store and it appears here.</p></div>`);
  }
  const cards = products.map((p) => {
    const pictures = p.images.map(httpUrl).filter(Boolean) as string[];
    const axes = [...new Set(p.variants.flatMap((v) => Object.keys(v.options)))];
    const rows = p.variants
      .map((v) => {
        const img = httpUrl(v.image);
        return `<tr><td>${img ? `<img src="${esc(img)}" alt="">` : ''}</td>${axes.map((a) => `<td>${esc(v.options[a])}</td>`).join('')}<td>${esc(v.price)}</td><td>${esc(v.compare_at_price ?? '')}</td><td>${esc(v.sku ?? '')}</td><td>${esc(v.inventory ?? '')}</td></tr>`;
      })
      .join('');
    return `<article class="card" data-product-id="${esc(p.id)}"><h2>${esc(p.title)}</h2>
<p>Status ${esc(p.status)}${p.tags.length ? ` · tags ${esc(p.tags.join(', '))}` : ''} · ${p.variants.length} variant${p.variants.length === 1 ? '' : 's'}</p>
<div class="pics">${pictures.map((src, i) => `<img src="${esc(src)}" alt="${esc(p.title)} picture ${i + 1}">`).join('') || '<em>no pictures</em>'}</div>
<table><thead><tr><th></th>${axes.map((a) => `<th>${esc(a)}</th>`).join('')}<th>Price</th><th>Compare at</th><th>SKU</th><th>Stock</th></tr></thead><tbody>${rows}</tbody></table></article>`;
  });
  return page('Products', `<h1>Products (${products.length})</h1>${cards.join('')}`);
}

function installPage(query: URLSearchParams, known: boolean): string {
  if (!known) return page('Install', `<h1>Cannot install this app</h1><div class="card"><p>The app <code>${esc(query.get('client_id'))}</code> is not known to this store.</p></div>`);
  const scopes = (query.get('scope') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const reasons = new Map<string, string>(SHOPIFY_SCOPES.map((s) => [s.scope, s.use]));
  const hidden = [...query.entries()].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
  return page(
    'Install SourcePilot',
    `<h1>Install SourcePilot</h1><div class="card"><p>SourcePilot asks for access to ${esc(DEMO_STORE_NAME)}:</p>
<ul class="scopes">${scopes.map((s) => `<li><code>${esc(s)}</code>${reasons.get(s) ? ` · ${esc(reasons.get(s))}` : ''}</li>`).join('')}</ul>
<form method="post" action="/admin/oauth/authorize">${hidden}<button class="btn" type="submit" name="decision" value="install">Install</button> <a class="btn secondary" href="/">Cancel</a></form></div>`,
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the demo store; resolves once it listens on `opts.port`. */
export async function startDemoStore(opts: DemoStoreOptions): Promise<{ origin: string; stop: () => Promise<void> }> {
  const fake = await startFakeShopify();
  const fakeOrigin = fake.bindings.FAKE_SHOPIFY_URL;
  const origin = `http://127.0.0.1:${opts.port}`;
  const control = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${fakeOrigin}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`demo store: ${path} answered ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  await control('/__control/apps', { client_id: opts.clientId, client_secret: opts.clientSecret });
  const shop = await control<{ token: string }>('/__control/shops', { name: DEMO_STORE_NAME });

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...headers });
    res.end(body);
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', origin);
      if (req.method === 'GET' && url.pathname === '/') {
        return send(res, 200, page('Home', `<h1>${DEMO_STORE_NAME}</h1><div class="card"><p>A local Shopify-compatible store for trying SourcePilot.</p>
<p>Connect it in SourcePilot (Connections › Connect Shopify) with the shop address <code>${esc(origin)}</code>, or open the app from here: <a href="/apps/sourcepilot">Open SourcePilot</a>.</p>
<p><a href="/products">See the products SourcePilot pushed here</a>.</p></div>`));
      }
      if (req.method === 'GET' && url.pathname === '/products') {
        return send(res, 200, productsPage(await control<DemoProduct[]>(`/__control/shops/${shop.token}/products`)));
      }
      if (req.method === 'GET' && url.pathname === '/apps/sourcepilot') {
        // What Shopify does when a merchant opens an installed (or listed) app: the app URL, signed.
        const params: Record<string, string> = {
          host: Buffer.from(`${url.host}/admin`).toString('base64'),
          shop: origin,
          timestamp: String(Math.floor(Date.now() / 1000)),
        };
        const sorted = Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1));
        const hmac = createHmac('sha256', opts.clientSecret).update(new URLSearchParams(sorted).toString()).digest('hex');
        const to = new URL(opts.appUrl);
        for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v);
        to.searchParams.set('hmac', hmac);
        res.writeHead(302, { Location: to.toString() });
        return res.end();
      }
      if (url.pathname === '/admin/oauth/authorize') {
        if (req.method === 'GET') return send(res, 200, installPage(url.searchParams, url.searchParams.get('client_id') === opts.clientId));
        if (req.method === 'POST') {
          const form = new URLSearchParams(await readBody(req));
          form.delete('decision');
          const approved = await fetch(`${fakeOrigin}/__control/shops/${shop.token}/approve`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ authorize_url: `${fakeOrigin}/admin/oauth/authorize?${form}`, overrides: { shop: origin } }),
          });
          const out = (await approved.json()) as { callback_url?: string; error?: string };
          if (!out.callback_url) return send(res, 400, page('Install', `<h1>Cannot install</h1><div class="card"><p>${esc(out.error)}</p></div>`));
          res.writeHead(302, { Location: out.callback_url });
          return res.end();
        }
      }
      if (req.method === 'POST' && (url.pathname === '/admin/oauth/access_token' || /^\/admin\/api\/[^/]+\/graphql\.json$/.test(url.pathname))) {
        const headers: Record<string, string> = {};
        for (const h of ['content-type', 'accept', 'x-shopify-access-token']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
        const upstream = await fetch(`${fakeOrigin}${url.pathname}${url.search}`, { method: 'POST', headers, body: await readBody(req), redirect: 'manual' });
        res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' });
        return res.end(Buffer.from(await upstream.arrayBuffer()));
      }
      send(res, 404, page('Not found', '<h1>Not found</h1>'));
    } catch (err) {
      send(res, 500, page('Error', `<h1>Error</h1><pre>${esc((err as Error).message)}</pre>`));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  return {
    origin,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await fake.stop();
    },
  };
}
