import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { priceWatches, priceWatchQuota } from '../db/schema';
import { reconcileWatchLimits } from '../services/price-watch';
import { customerUser, stripeEvent, stripeSubscription } from './billing-support';
import { answer, api, rawCall, registerUser, setPlan, withDb } from './helpers';
import { aliUrl } from './price-helpers';

/*
 * A plan change moves the active-watch limit: over the limit after a downgrade, the oldest
 * watches stay active and the rest are paused as `plan_limit`; room on an upgrade (or after
 * deletions, on the cron's reconcile) resumes them, oldest first. Watches the merchant paused
 * are never touched. CI runs this file on the embedded database and on PostgreSQL.
 */
const FREE_LIMIT = 25;

/** `active` active watches created a minute apart (oldest first), plus `merchantPaused` paused ones. */
async function seedWatches(userId: string, active: number, merchantPaused = 0) {
  const base = Date.now() - 86_400_000;
  return withDb((db) =>
    db
      .insert(priceWatches)
      .values([
        ...Array.from({ length: active }, (_, i) => ({ userId, source: 'aliexpress', productUrl: aliUrl(), createdAt: new Date(base + i * 60_000) })),
        ...Array.from({ length: merchantPaused }, (_, i) => ({ userId, source: 'aliexpress', productUrl: aliUrl(), isActive: false, createdAt: new Date(base - (i + 1) * 60_000) })),
      ])
      .returning({ id: priceWatches.id, isActive: priceWatches.isActive }),
  );
}

const watchesOf = (userId: string) =>
  withDb((db) =>
    db
      .select({ id: priceWatches.id, isActive: priceWatches.isActive, pausedReason: priceWatches.pausedReason })
      .from(priceWatches)
      .where(eq(priceWatches.userId, userId))
      .orderBy(asc(priceWatches.createdAt)),
  );

const activeIds = async (userId: string) => (await watchesOf(userId)).filter((w) => w.isActive).map((w) => w.id);

/** A Stripe subscription event in mock mode (unsigned events accepted). */
const stripe = (type: string, object: unknown) => rawCall('/webhooks/stripe', { body: stripeEvent(type, object) });

describe('plan changes and the active-watch limit', () => {
  it('a downgrade keeps the oldest watches active and pauses the rest as plan_limit', async () => {
    const user = await customerUser('enterprise');
    const sub = stripeSubscription({ customer: user.customer, price: 'price_mock_enterprise' });
    expect((await stripe('customer.subscription.created', sub)).status).toBe(200);
    const seeded = await seedWatches(user.id, 30, 2);
    const activeSeeded = seeded.filter((w) => w.isActive).map((w) => w.id);

    const r = await stripe('customer.subscription.deleted', { ...sub, status: 'canceled' });
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(3);

    const after = await watchesOf(user.id);
    expect(await activeIds(user.id)).toEqual(activeSeeded.slice(0, FREE_LIMIT));
    const planPaused = after.filter((w) => w.pausedReason === 'plan_limit').map((w) => w.id);
    expect(planPaused.sort()).toEqual(activeSeeded.slice(FREE_LIMIT).sort());
    // The merchant's own pauses stay theirs.
    expect(after.filter((w) => !w.isActive && w.pausedReason === null)).toHaveLength(2);

    // The API says which watches the plan paused, and no new watch is admitted.
    const list = await answer(api({ token: user.token })['price-watches'].$get({ query: {} }));
    const byId = new Map(list.json.items.map((w) => [w.id, w] as const));
    for (const id of planPaused) expect(byId.get(id)).toMatchObject({ is_active: false, paused_reason: 'plan_limit' });
    expect(byId.get(activeSeeded[0])).toMatchObject({ is_active: true, paused_reason: null });
    const create = await answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }));
    expect(create.status).toBe(403);
    const [gate] = await withDb((db) => db.select().from(priceWatchQuota).where(eq(priceWatchQuota.userId, user.id)));
    expect(gate.active).toBe(FREE_LIMIT);

    // An upgrade resumes every plan-paused watch (due at once); the merchant's pauses stay.
    const again = stripeSubscription({ customer: user.customer, price: 'price_mock_pro' });
    expect((await stripe('customer.subscription.created', again)).status).toBe(200);
    const resumed = await watchesOf(user.id);
    expect(resumed.filter((w) => w.isActive)).toHaveLength(30);
    expect(resumed.filter((w) => w.pausedReason === 'plan_limit')).toHaveLength(0);
    expect(resumed.filter((w) => !w.isActive)).toHaveLength(2);
  });

  it('resumes plan-paused watches oldest first as room returns, and a manual resume needs room', async () => {
    const user = await customerUser('enterprise');
    const sub = stripeSubscription({ customer: user.customer, price: 'price_mock_enterprise' });
    await stripe('customer.subscription.created', sub);
    const seeded = (await seedWatches(user.id, 28)).map((w) => w.id);
    await stripe('customer.subscription.deleted', { ...sub, status: 'canceled' });
    const paused = seeded.slice(FREE_LIMIT);
    expect((await watchesOf(user.id)).filter((w) => w.pausedReason === 'plan_limit').map((w) => w.id).sort()).toEqual([...paused].sort());

    // No room: resuming a plan-paused watch by hand is refused like any admission.
    const refused = await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: paused[2] }, json: { is_active: true } }));
    expect(refused.status).toBe(403);

    // Two deletions make room for two: the cron's reconcile resumes the two oldest plan-paused.
    for (const id of seeded.slice(0, 2)) {
      expect((await answer(api({ token: user.token })['price-watches'][':watch_id'].$delete({ param: { watch_id: id } }))).status).toBe(204);
    }
    const r = await withDb((db) => reconcileWatchLimits(db));
    expect(r.resumed).toBeGreaterThanOrEqual(2);
    const now = await watchesOf(user.id);
    expect(now.filter((w) => w.isActive).map((w) => w.id)).toEqual([...seeded.slice(2, FREE_LIMIT), paused[0], paused[1]]);
    expect(now.find((w) => w.id === paused[2])).toMatchObject({ isActive: false, pausedReason: 'plan_limit' });

    // A manual resume with room clears the reason (the merchant chose it).
    await answer(api({ token: user.token })['price-watches'][':watch_id'].$delete({ param: { watch_id: seeded[2] } }));
    const manual = await answer(api({ token: user.token })['price-watches'][':watch_id'].$put({ param: { watch_id: paused[2] }, json: { is_active: true } }));
    expect(manual.status).toBe(200);
    expect(manual.json).toMatchObject({ is_active: true, paused_reason: null });
  });

  it('an upgrade through checkout resumes the watches a downgrade paused', async () => {
    const user = await registerUser('watch-upgrade');
    await setPlan(user.id, 'pro');
    await seedWatches(user.id, 27);
    await setPlan(user.id, 'free');
    // A plan set outside the billing paths (an operator's SQL) is caught by the cron.
    const r = await withDb((db) => reconcileWatchLimits(db));
    expect(r.paused).toBeGreaterThanOrEqual(2);
    expect(await activeIds(user.id)).toHaveLength(FREE_LIMIT);

    const checkout = await answer(api({ token: user.token }).billing.checkout.$post({ json: { plan: 'pro' } }));
    expect(checkout.status).toBe(201);
    const after = await watchesOf(user.id);
    expect(after.filter((w) => w.isActive)).toHaveLength(27);
    expect(after.filter((w) => w.pausedReason)).toHaveLength(0);
  });

  it('creations racing a downgrade end within the limit once the cron has run', async () => {
    const user = await customerUser('enterprise');
    const sub = stripeSubscription({ customer: user.customer, price: 'price_mock_enterprise' });
    await stripe('customer.subscription.created', sub);
    await seedWatches(user.id, 24);
    const results = await Promise.all([
      stripe('customer.subscription.deleted', { ...sub, status: 'canceled' }),
      ...Array.from({ length: 8 }, () => answer(api({ token: user.token })['price-watches'].$post({ json: { product_url: aliUrl(), source: 'aliexpress' } }))),
    ]);
    expect(results[0].status).toBe(200);
    for (const r of results.slice(1)) expect([201, 403]).toContain(r.status);
    await withDb((db) => reconcileWatchLimits(db));
    const active = await withDb((db) =>
      db.select({ id: priceWatches.id }).from(priceWatches).where(and(eq(priceWatches.userId, user.id), eq(priceWatches.isActive, true))),
    );
    expect(active).toHaveLength(FREE_LIMIT);
    // The 24 oldest stay; whichever new watch came first keeps the last slot.
    const kept = new Set(active.map((a) => a.id));
    const oldest = (await watchesOf(user.id)).slice(0, 24);
    for (const w of oldest) expect(kept.has(w.id)).toBe(true);
  });
});
