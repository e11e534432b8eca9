import { describe, expect, it } from 'vitest';
import { answer, api, rawCall, registerUser } from './helpers';

/** Whatever a client sends to the connections and supplier-account routes, the answer is never a 500. */
describe('bad input on /connections and /suppliers/accounts', () => {
  it('answers every odd body with a 4xx: NUL bytes and unpaired surrogates are 422, not a database error', async () => {
    const user = await registerUser();
    const conn = await answer(api({ token: user.token }).connections.$post({ json: { store_name: 'x', platform: 'shopify', store_url: 'https://odd-input.myshopify.com' } }));
    const acct = await answer(api({ token: user.token }).suppliers.accounts.$post({ json: { name: 'x', platform: 'aliexpress' } }));
    const nul = [
      { store_name: 'a\u0000b', platform: 'shopify', store_url: 'https://a.myshopify.com' },
      { store_name: 'x', platform: 'shop\u0000ify', store_url: 'u' },
      { store_name: 'x', platform: 'bigcommerce', store_url: 'u\ud800' },
      { name: 'a\u0000', platform: 'p' },
      { name: 'a', platform: 'p', credentials: { k: 'v\u0000' } },
      { name: 'a', platform: 'p', credentials: { ['k\u0000']: 'v' } },
      { name: 'a', platform: 'p', credentials: { k: '\ud800abc' } },
      { name: 'a', platform: 'p', settings: { x: 'v\ud800' } },
      { name: 'a', platform: 'p', settings: { ['k\u0000']: 'v' } },
    ];
    const odd: unknown[] = [null, 1, 'text', [], [1], {}, { is_default: 'true' }, { store_url: null, is_default: null }, { name: null, platform: null }, { credentials: [] }, ...nul];
    const routes = [
      ['POST', '/connections'],
      ['PUT', `/connections/${conn.json.id}`],
      ['POST', '/suppliers/accounts'],
      ['PUT', `/suppliers/accounts/${acct.json.id}`],
    ];
    for (const [method, path] of routes) {
      for (const body of odd) {
        const r = await rawCall(path, { method, token: user.token, body });
        expect(r.status, `${method} ${path} ${JSON.stringify(body)} → ${JSON.stringify(r.json)}`).toBeLessThan(500);
      }
      for (const body of nul) {
        const r = await rawCall(path, { method, token: user.token, body });
        // A field the route does not know is ignored; every known field with bad text is a 422.
        if (r.status !== 200) expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(422);
      }
      const text = await rawCall(path, { method, token: user.token, rawBody: 'name=x', headers: { 'Content-Type': 'text/plain' } });
      expect(text.status, `${method} ${path} text/plain`).toBeLessThan(500);
      const empty = await rawCall(path, { method, token: user.token });
      expect(empty.status, `${method} ${path} without a body`).toBeLessThan(500);
    }
    const nulName = await rawCall('/connections', { token: user.token, body: nul[0] });
    expect(nulName.json.detail[0]).toMatchObject({ loc: ['body', 'store_name'], type: 'value_error' });
    for (const path of [`/connections/${conn.json.id}/test`, `/connections/${conn.json.id}/default`]) {
      expect((await rawCall(path, { method: 'POST', token: user.token, body: { anything: 1 } })).status).toBe(200);
    }
    for (const path of ['/connections/%00', '/suppliers/accounts/..%2F']) {
      expect((await rawCall(path, { method: 'DELETE', token: user.token })).status).toBe(422);
    }
  });
});
