import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHOPIFY_SCOPE_NAMES } from '../shared/shopify-scopes';
import { call, registerUser } from './helpers';
import { fakeShopifyShop, registerFakeShopifyApp } from './store-fakes';

const app = env as unknown as { SHOPIFY_API_KEY: string; SHOPIFY_API_SECRET: string };
beforeAll(() => registerFakeShopifyApp(app.SHOPIFY_API_KEY, app.SHOPIFY_API_SECRET));

describe('the fake Shopify install screen', () => {
  it('shows the app’s requested access and an Install button; installing redirects to our callback, which connects the shop', async () => {
    const shop = await fakeShopifyShop('Screen Shop');
    const user = await registerUser();
    const authorizeUrl = (await call('/connections/shopify/install', { token: user.token, body: { shop: shop.storeUrl } })).json.authorize_url as string;

    const screen = await fetch(authorizeUrl);
    expect(screen.status).toBe(200);
    expect(screen.headers.get('content-type')).toContain('text/html');
    const html = await screen.text();
    expect(html).toContain('Install SourcePilot');
    for (const scope of SHOPIFY_SCOPE_NAMES) expect(html).toContain(`<code>${scope}</code>`);
    expect(html).toContain('>Screen Shop</option>');

    const form = new URLSearchParams({ authorize_url: authorizeUrl, shop: shop.token });
    const installed = await fetch(new URL('/admin/oauth/authorize', shop.storeUrl), { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    expect(installed.status).toBe(302);
    const back = await SELF.fetch(installed.headers.get('Location')!, { redirect: 'manual' });
    expect(new URL(back.headers.get('Location')!).searchParams.get('connected')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an unknown client id', async () => {
    const shop = await fakeShopifyShop();
    const res = await fetch(`${shop.storeUrl}/admin/oauth/authorize?client_id=nope&scope=write_products&redirect_uri=http://x/cb&state=s`);
    expect(res.status).toBe(400);
  });
});
