import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BodyTooLarge, boundedFetch, readBoundedText } from '../lib/bounded-body';
import { GATEWAY_MAX_BYTES } from '../services/ai';
import { connectorFor } from '../stores';
import { call, registerUser, sealedConnection } from './helpers';
import { fakeWooStore } from './store-fakes';
import { fakeControl } from './supplier-helpers';

const MIB = 1024 * 1024;

/** A body that never ends, counting what was pulled from it: reading it whole would never finish. */
function endless() {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { res: new Response(body), state };
}

describe('outbound response bodies are read bounded', () => {
  it('stops an endless body at the limit, cancels it, and names the limit', async () => {
    const { res, state } = endless();
    const err = await readBoundedText(res, MIB).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BodyTooLarge);
    expect((err as Error).message).toBe('the response body is larger than 1 MiB');
    expect(state.pulled).toBeLessThanOrEqual(MIB + 3 * 64 * 1024);
    expect(state.cancelled).toBe(true);
  });

  it('refuses at once when Content-Length is over the limit, and reads a body within it', async () => {
    const declared = new Response('small', { headers: { 'Content-Length': String(10 * MIB) } });
    await expect(readBoundedText(declared, MIB)).rejects.toThrow('larger than 1 MiB');
    expect(await readBoundedText(new Response('héllo 😀'), 16)).toBe('héllo 😀');
    await expect(readBoundedText(new Response('x'.repeat(17)), 16)).rejects.toThrow('larger than 16 bytes');
    expect(await readBoundedText(new Response(null), 16)).toBe('');
  });

  it('the AI gateway client answers 502 naming its limit when the gateway sends a huge body', async () => {
    const user = await registerUser('huge-ai');
    await fakeControl(env.LLM_GATEWAY_URL, 'script', { user_id: user.id, replies: [{ raw: 'x'.repeat(GATEWAY_MAX_BYTES + 1) }] });
    const r = await call('/ai/suggestions', { token: user.token });
    expect(r.status).toBe(502);
    expect(r.json).toEqual({ detail: 'AI gateway sent a response larger than 1 MiB' });
  });

  it('a store connector fails the call, naming its limit, when the store sends a huge body', async () => {
    const store = await fakeWooStore();
    const connector = await connectorFor(env, await sealedConnection('woocommerce', store.storeUrl, store.apiKey));
    await store.fail(200, 1, { message: 'x'.repeat(5 * MIB) });
    expect(await connector.testConnection()).toEqual({ ok: false, shop_name: null, detail: 'WooCommerce sent a response larger than 4 MiB' });
    expect(await connector.testConnection()).toMatchObject({ ok: true });
  });

  it('boundedFetch (the Stripe client’s fetch) errors once a body passes its limit', async () => {
    const user = await registerUser('huge-fetch');
    await fakeControl(env.LLM_GATEWAY_URL, 'script', { user_id: user.id, replies: [{ raw: 'x'.repeat(2 * MIB) }, { raw: '{"ok":true}' }] });
    const post = () =>
      boundedFetch(MIB)(`${env.LLM_GATEWAY_URL}/api/v1/generate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Service-Key': env.LLM_GATEWAY_KEY ?? '' },
        body: JSON.stringify({ user_id: user.id, service: 'sourcepilot', task_type: 'sourcing_suggestions', prompt: 'p', system: 's', max_tokens: 10, temperature: 0, json_mode: true }),
      }).then((res) => res.text());
    await expect(post()).rejects.toThrow('larger than 1 MiB');
    expect(await post()).toBe('{"ok":true}');
  });
});
