import { env } from 'cloudflare:workers';
import { createHmac } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '../db/client';
import { alertSettings, priceAlerts, priceWatches } from '../db/schema';
import { checkWatchIds, priceCheckDeps } from '../services/price-check';
import { answer, api, rawCall, registerUser, uniqueEmail, withDb } from './helpers';
import { createWatch } from './price-helpers';
import { alertsFake as fake, confirmAlertAddress as confirmAddress, emailedToken, mailbox } from './alert-helpers';
import { connectAliExpress } from './supplier-helpers';

const FAKE = new URL(env.EMAIL_API_URL).origin;
const numericId = () => `1005${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
const hookLog = (token: string) => fake<{ attempts: number; deliveries: { headers: Record<string, string>; body: any; signature_valid: boolean }[] }>(`hooks/${token}`);

async function check(ids: string[], override: Partial<typeof env> = {}) {
  const e = { ...env, ...override };
  const { db, pool } = createDb(e);
  try {
    return await checkWatchIds(e, db, priceCheckDeps(e), ids);
  } finally {
    await pool.end();
  }
}

/** A live-supplier user whose product price the test moves, with email and a signed webhook set up. */
async function alertingUser(opts: { email?: boolean; webhook?: boolean } = {}) {
  const user = await registerUser('alerts');
  const ae = await connectAliExpress(user.id);
  const address = uniqueEmail('merchant');
  const token = crypto.randomUUID().replace(/-/g, '');
  const settings = await answer(api({ token: user.token }).alerts.settings.$put({ json: {
      email: address,
      email_enabled: opts.email ?? true,
      ...(opts.webhook === false ? {} : { webhook_url: `${FAKE}/hooks/${token}`, webhook_enabled: true }),
    } }));
  expect(settings.status).toBe(200);
  await confirmAddress(address);
  if (opts.webhook !== false) await fake('hooks', { token, secret: settings.json.webhook_secret });
  const productId = numericId();
  // Explicit stock: the fake's default per-product stock is not guaranteed positive.
  await ae.control('products', { product_id: productId, price: 10, stock: 50 });
  const watch = await createWatch(user, { product_url: `https://www.aliexpress.com/item/${productId}.html`, source: 'aliexpress', threshold_percent: 5 });
  expect(await check([watch.id])).toMatchObject({ checked: 1, errors: 0 });
  return { user, ae, address, token, productId, watchId: watch.id, secret: settings.json.webhook_secret as string | null };
}

const alertRows = (watchId: string) => withDb((db) => db.select().from(priceAlerts).where(eq(priceAlerts.watchId, watchId)));

describe('alert settings', () => {
  it('starts empty, saves channels, and shows a webhook secret once', async () => {
    const user = await registerUser();
    const empty = await answer(api({ token: user.token }).alerts.settings.$get());
    expect(empty.status).toBe(200);
    expect(empty.roundTrips).toBeLessThanOrEqual(2);
    expect(empty.json).toEqual({
      email: null,
      email_enabled: false,
      webhook_url: null,
      webhook_enabled: false,
      webhook_secret_hint: null,
      email_delivery_available: true,
      email_verified: false,
      email_confirmation_sent_at: null,
      updated_at: null,
    });

    const address = uniqueEmail('alerts');
    const saved = await answer(api({ token: user.token }).alerts.settings.$put({ json: { email: address, email_enabled: true } }));
    expect(saved.status).toBe(200);
    expect(saved.roundTrips).toBeLessThanOrEqual(3);
    expect(saved.json).toMatchObject({ email: address, email_enabled: true, webhook_secret: null, webhook_secret_hint: null });

    const hook = await answer(api({ token: user.token }).alerts.settings.$put({ json: { webhook_url: 'http://127.0.0.1:9/hooks/a', webhook_enabled: true } }));
    expect(hook.status).toBe(200);
    const secret = hook.json.webhook_secret!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(hook.json.webhook_secret_hint).toBe(`••••${secret.slice(-4)}`);
    // Absent fields were kept.
    expect(hook.json).toMatchObject({ email: address, email_enabled: true, webhook_enabled: true });

    const read = await answer(api({ token: user.token }).alerts.settings.$get());
    expect((read.json as Record<string, unknown>).webhook_secret).toBeUndefined();
    expect(JSON.stringify(read.json)).not.toContain(secret);
    expect(read.json.webhook_secret_hint).toBe(`••••${secret.slice(-4)}`);
    const [row] = await withDb((db) => db.select().from(alertSettings).where(eq(alertSettings.userId, user.id)));
    expect(row.webhookSecret).toMatch(/^v2\./);
    expect(row.webhookSecret).not.toContain(secret);

    // Saving again keeps the secret (and does not show it); rotating replaces it.
    expect((await answer(api({ token: user.token }).alerts.settings.$put({ json: { webhook_url: 'http://localhost:9/other' } }))).json.webhook_secret).toBeNull();
    const rotated = await answer(api({ token: user.token }).alerts.settings.$put({ json: { rotate_webhook_secret: true } }));
    expect(rotated.json.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.json.webhook_secret).not.toBe(secret);

    // null clears; turning a channel on without its address is refused.
    const off = await answer(api({ token: user.token }).alerts.settings.$put({ json: { email: null, email_enabled: false } }));
    expect(off.json).toMatchObject({ email: null, email_enabled: false });
    const noAddress = await answer(api({ token: user.token }).alerts.settings.$put({ json: { email_enabled: true } }));
    expect(noAddress.status).toBe(400);
    expect(noAddress.json).toEqual({ detail: 'Add an email address to turn on email alerts' });
    const fresh = await registerUser();
    expect((await answer(api({ token: fresh.token }).alerts.settings.$put({ json: { webhook_enabled: true } }))).json).toEqual({ detail: 'Add a webhook URL to turn on webhook alerts' });
    // Another user's settings are their own.
    expect((await answer(api({ token: fresh.token }).alerts.settings.$get())).json.email).toBeNull();
  });

  it('refuses webhook targets that are not https (or loopback in dev) and malformed fields', async () => {
    const user = await registerUser();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ webhook_url: 'http://example.com/hook' }, 'webhook_url', 'Webhook URL must use https://'],
      [{ webhook_url: 'ftp://example.com/hook' }, 'webhook_url', 'Webhook URL must use https://'],
      [{ webhook_url: 'https://10.1.2.3/hook' }, 'webhook_url', 'Webhook URL must be a public address; local and private hosts are not allowed'],
      [{ webhook_url: 'http://192.168.1.5/hook' }, 'webhook_url', 'Webhook URL must use https://'],
      [{ webhook_url: 'https://user:pw@example.com/hook' }, 'webhook_url', 'Webhook URL must not contain a user name or password'],
      [{ webhook_url: 'hooks.example.com' }, 'webhook_url', 'Webhook URL must be a full https:// address'],
    ];
    for (const [body, field, msg] of cases) {
      const r = await answer(api({ token: user.token }).alerts.settings.$put({ json: body }));
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.json.detail[0]).toMatchObject({ type: 'value_error', loc: ['body', field], msg });
    }
    for (const [body, type] of [
      [{ email: 'not-an-email' }, 'value_error'],
      [{ email_enabled: 'yes' }, 'boolean_type'],
      [{ webhook_url: `https://example.com/${'x'.repeat(2000)}` }, 'string_too_long'],
    ] as const) {
      expect((await rawCall('/alerts/settings', { token: user.token, method: 'PUT', body })).json.detail[0].type).toBe(type);
    }
    expect((await answer(api({ token: user.token }).alerts.settings.$put({ json: { webhook_url: 'https://hooks.example.com/sourcepilot' } }))).status).toBe(200);
    expect((await answer(api().alerts.settings.$put({ json: { email: 'bad' } }))).status).toBe(401);
  });
});

describe('alert delivery', () => {
  it('emails the merchant and posts a signed webhook the receiver can verify', async () => {
    const u = await alertingUser();
    await u.ae.control('products', { product_id: u.productId, price: 12 });
    const result = await check([u.watchId]);
    expect(result.alerts).toBe(1);

    const box = await mailbox(u.address);
    expect(box.emails).toHaveLength(1);
    expect(box.emails[0]).toMatchObject({ from: 'SourcePilot Alerts <alerts@sourcepilot.test>', to: [u.address] });
    expect(box.emails[0].subject).toBe(`Price up 20% ($10.00 → $12.00): AliExpress product ${u.productId}`);
    expect(box.emails[0].html).toContain(`https://www.aliexpress.com/item/${u.productId}.html`);

    const log = await hookLog(u.token);
    expect(log.attempts).toBe(1);
    const [d] = log.deliveries;
    expect(d.signature_valid).toBe(true);
    expect(d.headers['x-sourcepilot-event']).toBe('price_watch.alerts');
    expect(d.headers['x-sourcepilot-delivery']).toBe(d.body.id);
    // The documented scheme, recomputed here from what the receiver got.
    const body = JSON.stringify(d.body);
    expect(createHmac('sha256', u.secret!).update(`${d.headers['x-sourcepilot-timestamp']}.${body}`).digest('hex')).toBe(d.headers['x-sourcepilot-signature']);
    expect(d.body).toMatchObject({ type: 'price_watch.alerts' });
    expect(d.body.alerts).toEqual([
      expect.objectContaining({
        kind: 'price_change',
        watch_id: u.watchId,
        source: 'aliexpress',
        source_product_id: u.productId,
        old_price: 10,
        new_price: 12,
        change_percent: 20,
        currency: 'USD',
        threshold_percent: 5,
      }),
    ]);

    const [row] = await alertRows(u.watchId);
    expect(row.id).toBe(d.body.alerts[0].id);
    expect(row.delivery).toMatchObject({ email: { status: 'sent', attempts: 1 }, webhook: { status: 'sent', attempts: 1, http_status: 200 } });

    const listed = await answer(api({ token: u.user.token }).alerts.$get({ query: {} }));
    expect(listed.status).toBe(200);
    expect(listed.roundTrips).toBeLessThanOrEqual(2);
    expect(listed.json.items).toEqual([
      expect.objectContaining({
        id: row.id,
        watch_id: u.watchId,
        kind: 'price_change',
        old_price: 10,
        new_price: 12,
        change_percent: 20,
        currency: 'USD',
        product_url: `https://www.aliexpress.com/item/${u.productId}.html`,
        delivery: expect.objectContaining({ email: expect.objectContaining({ status: 'sent' }) }),
      }),
    ]);
    expect((await answer(api({ token: u.user.token }).alerts.$get({ query: { watch_id: `${crypto.randomUUID()}` } }))).json.items).toEqual([]);
    expect((await answer(api({ token: u.user.token }).alerts.$get({ query: { limit: '0' } }))).status).toBe(422);
    const stranger = await registerUser();
    expect((await answer(api({ token: stranger.token }).alerts.$get({ query: {} }))).json.items).toEqual([]);
  });

  it('retries a failing receiver with backoff, then records the outcome', async () => {
    const u = await alertingUser();
    await fake(`hooks/${u.token}/fail`, { status: 503, times: 2 });
    await fake('emails/fail', { to: u.address, status: 500, times: 1 });
    await u.ae.control('products', { product_id: u.productId, price: 9 });
    await check([u.watchId]);
    expect((await hookLog(u.token)).attempts).toBe(3);
    expect((await mailbox(u.address)).attempts).toBe(2);
    const [recovered] = await alertRows(u.watchId);
    expect(recovered.delivery).toMatchObject({ email: { status: 'sent', attempts: 2 }, webhook: { status: 'sent', attempts: 3 } });

    // Three failures in a row: recorded as failed, the alert stays in the dashboard.
    await fake(`hooks/${u.token}/fail`, { status: 500, times: 3 });
    await u.ae.control('products', { product_id: u.productId, price: 12 });
    await check([u.watchId]);
    expect((await hookLog(u.token)).attempts).toBe(6);
    const rows = await alertRows(u.watchId);
    const failed = rows.find((r) => r.newPrice === '12.00')!;
    expect(failed.delivery).toMatchObject({ webhook: { status: 'failed', attempts: 3, http_status: 500, error: 'HTTP 500' }, email: { status: 'sent' } });
  });

  it('does not retry a receiver that rejects the request', async () => {
    const u = await alertingUser({ email: false });
    // The receiver now expects another secret: every signature fails with 401.
    await fake(`hooks/${u.token}/secret`, { secret: 'whsec_someone-else' });
    await u.ae.control('products', { product_id: u.productId, price: 14 });
    await check([u.watchId]);
    expect((await hookLog(u.token)).attempts).toBe(1);
    const [row] = await alertRows(u.watchId);
    expect(row.delivery).toMatchObject({ email: { status: 'off' }, webhook: { status: 'failed', attempts: 1, http_status: 401 } });
    expect((await mailbox(u.address)).attempts).toBe(0);
  });

  it('without an email API key, records the alert for the dashboard only', async () => {
    const u = await alertingUser({ webhook: false });
    await u.ae.control('products', { product_id: u.productId, price: 15 });
    await check([u.watchId], { EMAIL_API_KEY: '' });
    expect((await mailbox(u.address)).attempts).toBe(0);
    const [row] = await alertRows(u.watchId);
    expect(row.delivery).toMatchObject({ email: { status: 'skipped' }, webhook: { status: 'off' } });
    expect((await answer(api({ token: u.user.token }).alerts.$get({ query: {} }))).json.items).toHaveLength(1);
  });

  it('sends one email and one webhook per user for the alerts of a run', async () => {
    const u = await alertingUser();
    const second = await createWatch(u.user, { product_url: `https://www.aliexpress.com/item/${u.productId}.html`, source: 'aliexpress', threshold_percent: 1 });
    expect(await check([second.id])).toMatchObject({ checked: 1, errors: 0 });
    await u.ae.control('products', { product_id: u.productId, price: 11, stock: 0 });
    const r = await check([u.watchId, second.id]);
    // Two price changes and two stock-outs.
    expect(r, JSON.stringify(await withDb((db) => db.select().from(priceWatches).where(inArray(priceWatches.id, [u.watchId, second.id]))))).toMatchObject({ checked: 2, errors: 0, alerts: 4 });
    const box = await mailbox(u.address);
    expect(box.emails).toHaveLength(1);
    expect(box.emails[0].subject).toBe('4 supplier price alerts');
    const log = await hookLog(u.token);
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0].body.alerts.map((a: { kind: string }) => a.kind).sort()).toEqual(['out_of_stock', 'out_of_stock', 'price_change', 'price_change']);
  });
});


describe('alert address confirmation', () => {
  it('emails nothing to an address until its link is opened, and the link works once', async () => {
    const u = await alertingUser({ webhook: false });
    // Confirmed by the helper; change the address: it is unconfirmed again and gets a link.
    const other = uniqueEmail('changed');
    const changed = await answer(api({ token: u.user.token }).alerts.settings.$put({ json: { email: other } }));
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ email: other, email_verified: false, email_confirmation: 'sent' });
    expect(changed.json.email_confirmation_sent_at).toEqual(expect.any(String));
    const confirmation = (await mailbox(other)).emails;
    expect(confirmation).toHaveLength(1);
    // The only user-controlled text in it is the address it goes to; the link leads to the dashboard.
    expect(confirmation[0].text).toContain(`${env.CORS_ORIGINS.split(',')[0].trim()}/confirm-alert-email?token=`);

    // A price move now: recorded, shown in the dashboard, not emailed.
    await u.ae.control('products', { product_id: u.productId, price: 13 });
    expect((await check([u.watchId])).alerts).toBe(1);
    expect((await mailbox(other)).emails).toHaveLength(1);
    const [row] = await alertRows(u.watchId).then((rows) => rows.filter((r) => r.newPrice === '13.00'));
    expect(row.delivery).toMatchObject({ email: { status: 'skipped', error: expect.stringContaining('not confirmed') } });

    // Saving the same address again does not send another link or unconfirm anything.
    const again = await answer(api({ token: u.user.token }).alerts.settings.$put({ json: { email: other, email_enabled: true } }));
    expect(again.json.email_confirmation).toBeNull();
    const token = await emailedToken(other);
    const ok = await rawCall('/alerts/email/confirm', { body: { token } });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ email: other, email_verified: true });
    const reused = await rawCall('/alerts/email/confirm', { body: { token } });
    expect(reused.status).toBe(400);
    expect((await answer(api({ token: u.user.token }).alerts.settings.$get())).json).toMatchObject({ email_verified: true, email_confirmation_sent_at: null });

    await u.ae.control('products', { product_id: u.productId, price: 16 });
    await check([u.watchId]);
    expect((await mailbox(other)).emails.map((e) => e.subject)).toContain('Confirm your SourcePilot alert address');
    expect((await mailbox(other)).emails).toHaveLength(2);
  });

  it('a link for an address that was replaced, a made-up token and an old link are refused', async () => {
    const user = await registerUser('confirm');
    const first = uniqueEmail('first');
    await answer(api({ token: user.token }).alerts.settings.$put({ json: { email: first, email_enabled: true } }));
    const stale = await emailedToken(first);
    const second = uniqueEmail('second');
    await answer(api({ token: user.token }).alerts.settings.$put({ json: { email: second } }));
    expect((await rawCall('/alerts/email/confirm', { body: { token: stale } })).status).toBe(400);
    expect((await rawCall('/alerts/email/confirm', { body: { token: 'A'.repeat(43) } })).json).toEqual({
      detail: 'This confirmation link is invalid, was already used, or has expired; send a new one from Price Watch › Alerts',
    });
    // A day-old link no longer works.
    const token = await emailedToken(second);
    await withDb((db) => db.update(alertSettings).set({ emailConfirmSentAt: new Date(Date.now() - 25 * 3_600_000) }).where(eq(alertSettings.userId, user.id)));
    expect((await rawCall('/alerts/email/confirm', { body: { token } })).status).toBe(400);
    // Bad bodies are 422, not 500.
    expect((await rawCall('/alerts/email/confirm', { body: { token: 5 } })).status).toBe(422);
  });

  it('sends a new link at most once a minute, even from two tabs at once', async () => {
    const user = await registerUser('resend');
    const address = uniqueEmail('resend');
    const nothing = await answer(api({ token: user.token }).alerts.settings['confirm-email'].$post());
    expect(nothing.status).toBe(400);
    await answer(api({ token: user.token }).alerts.settings.$put({ json: { email: address } }));
    const tooSoon = await answer(api({ token: user.token }).alerts.settings['confirm-email'].$post());
    expect(tooSoon.status).toBe(429);
    await withDb((db) => db.update(alertSettings).set({ emailConfirmSentAt: new Date(Date.now() - 120_000) }).where(eq(alertSettings.userId, user.id)));
    const both = await Promise.all([0, 1].map(() => answer(api({ token: user.token }).alerts.settings['confirm-email'].$post())));
    expect(both.map((r) => r.status).sort()).toEqual([200, 429]);
    expect((await mailbox(address)).emails).toHaveLength(2);
    // Only the newest link works.
    const newest = await emailedToken(address);
    expect((await rawCall('/alerts/email/confirm', { body: { token: newest } })).status).toBe(200);
  });
});
