import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { createRequestDb, type PreludeSpec } from '../db/client';
import { apiKeyUsage, users } from '../db/schema';
import { sha256Hex } from '../lib/encoding';
import { ACTIVE_USER_PRELUDE, API_KEY_PRELUDE, API_KEY_USED, API_PLANS, NO_ACTIVE_USER_CODE } from '../services/auth';
import { answer, api, rawCall, registerUser, userWithKey, withDb } from './helpers';

/**
 * The request path's database (issue 18): Neon's HTTP driver, with the auth check riding
 * in the same transaction as the route's first statement (RequestDb.prelude), over the
 * local endpoint that speaks Neon's HTTP protocol.
 */

class Gone extends Error {}

/** drizzle wraps a failed query's error (DrizzleQueryError, the original as its cause); a batch's is not wrapped. */
const isGone = (err: unknown) => err instanceof Gone || (err as { cause?: unknown }).cause instanceof Gone;

const activeUser = (userId: string): PreludeSpec => ({
  text: ACTIVE_USER_PRELUDE,
  params: [userId],
  failedHere: (err) => (err as { code?: string }).code === NO_ACTIVE_USER_CODE,
  failure: () => new Gone('gone'),
});

/** A scratch table the statements below write to. */
async function scratch() {
  const name = `rdb_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await withDb((db) => db.execute(sql.raw(`CREATE TABLE ${name} (v text)`)));
  return { name, count: () => withDb(async (db) => Number((await db.execute<{ n: string }>(sql.raw(`SELECT count(*) AS n FROM ${name}`))).rows[0].n)) };
}

describe('request database', () => {
  it('sends the prelude with the first statement: one round trip, the user row arrives with it', async () => {
    const user = await registerUser('rdb-ok');
    const rdb = createRequestDb(env);
    const prelude = rdb.prelude(activeUser(user.id));
    const [row] = await rdb.db.select({ email: users.email }).from(users).where(eq(users.id, user.id));
    expect(row.email).toBe(user.email);
    expect(rdb.roundTrips.count).toBe(1);
    expect(((await prelude)[0].user as { id: string }).id).toBe(user.id);
    await rdb.settle();
    expect(rdb.roundTrips.count).toBe(1);
    await rdb.db.select().from(users).where(eq(users.id, user.id));
    expect(rdb.roundTrips.count).toBe(2);
  });

  it('rolls back a write sent with a failing prelude, and every later statement fails too', async () => {
    const t = await scratch();
    const rdb = createRequestDb(env);
    const prelude = rdb.prelude(activeUser(crypto.randomUUID()));
    prelude.catch(() => undefined);
    await expect(rdb.db.execute(sql.raw(`INSERT INTO ${t.name} VALUES ('x')`))).rejects.toSatisfy(isGone);
    await expect(prelude).rejects.toBeInstanceOf(Gone);
    await expect(rdb.db.execute(sql.raw(`INSERT INTO ${t.name} VALUES ('y')`))).rejects.toSatisfy(isGone);
    await expect(rdb.settle()).rejects.toBeInstanceOf(Gone);
    expect(rdb.roundTrips.count).toBe(1);
    expect(await t.count()).toBe(0);
  });

  it('rides a batch: the prelude and the batch are one transaction', async () => {
    const t = await scratch();
    const user = await registerUser('rdb-batch');
    const rdb = createRequestDb(env);
    const db = rdb.db as unknown as { batch: (q: unknown[]) => Promise<unknown[]> };
    rdb.prelude(activeUser(user.id));
    const results = await db.batch([rdb.db.execute(sql.raw(`INSERT INTO ${t.name} VALUES ('a')`)), rdb.db.select({ id: users.id }).from(users).where(eq(users.id, user.id))]);
    expect(results).toHaveLength(2);
    expect((results[1] as { id: string }[])[0].id).toBe(user.id);
    expect(rdb.roundTrips.count).toBe(1);

    const gone = createRequestDb(env);
    gone.prelude(activeUser(crypto.randomUUID())).catch(() => undefined);
    const goneDb = gone.db as unknown as { batch: (q: unknown[]) => Promise<unknown[]> };
    await expect(goneDb.batch([gone.db.execute(sql.raw(`INSERT INTO ${t.name} VALUES ('b')`)), gone.db.execute(sql.raw(`INSERT INTO ${t.name} VALUES ('c')`))])).rejects.toBeInstanceOf(Gone);
    expect(await t.count()).toBe(1);
  });

  it('keeps the prelude for the next statement when a statement after it fails', async () => {
    const user = await registerUser('rdb-retry');
    const rdb = createRequestDb(env);
    const prelude = rdb.prelude(activeUser(user.id));
    await expect(rdb.db.execute(sql`SELECT 1/0`)).rejects.toMatchObject({ cause: { code: '22012' } });
    const [row] = await rdb.db.select({ id: users.id }).from(users).where(eq(users.id, user.id));
    expect(row.id).toBe(user.id);
    expect(((await prelude)[0].user as { id: string }).id).toBe(user.id);
    expect(rdb.roundTrips.count).toBe(2);
  });

  it('holds concurrent statements until the prelude is known, so none runs for a user who is gone', async () => {
    const t = await scratch();
    const rdb = createRequestDb(env);
    rdb.prelude(activeUser(crypto.randomUUID())).catch(() => undefined);
    const outcomes = await Promise.allSettled([
      rdb.db.execute(sql.raw(`INSERT INTO ${t.name} VALUES ('1')`)),
      rdb.db.execute(sql.raw(`INSERT INTO ${t.name} VALUES ('2')`)),
      rdb.db.execute(sql.raw(`INSERT INTO ${t.name} VALUES ('3')`)),
    ]);
    expect(outcomes.map((o) => o.status === 'rejected' && isGone(o.reason))).toEqual([true, true, true]);
    expect(await t.count()).toBe(0);
    expect(rdb.roundTrips.count).toBe(1);
  });

  it('sends the record last, in the same transaction: after the route statements, undone with them', async () => {
    const name = `rdb_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await withDb((db) => db.execute(sql.raw(`CREATE TABLE ${name} (n serial, v text)`)));
    const rows = () => withDb(async (db) => (await db.execute<{ v: string }>(sql.raw(`SELECT v FROM ${name} ORDER BY n`))).rows.map((r) => r.v));
    const user = await registerUser('rdb-record');
    const withRecord = (spec: PreludeSpec): PreludeSpec => ({ ...spec, record: { text: `INSERT INTO ${name} (v) VALUES ($1)`, params: ['record'] } });

    const rdb = createRequestDb(env);
    rdb.prelude(withRecord(activeUser(user.id)));
    await rdb.db.execute(sql.raw(`INSERT INTO ${name} (v) VALUES ('route')`));
    await rdb.db.execute(sql.raw(`INSERT INTO ${name} (v) VALUES ('later')`));
    await rdb.settle();
    expect(await rows()).toEqual(['route', 'record', 'later']);
    expect(rdb.roundTrips.count).toBe(2);

    // A statement that fails takes the record down with it; it rides again with the next one.
    const again = createRequestDb(env);
    again.prelude(withRecord(activeUser(user.id)));
    await expect(again.db.execute(sql`SELECT 1/0`)).rejects.toMatchObject({ cause: { code: '22012' } });
    expect(await rows()).toEqual(['route', 'record', 'later']);
    await again.finish();
    expect(await rows()).toEqual(['route', 'record', 'later', 'record']);
    expect(again.roundTrips.count).toBe(2);

    // Checked alone first (a key not yet known at the edge): the record waits for the
    // route's statement and goes after it, or alone when the request ends without one.
    const cold = createRequestDb(env);
    cold.prelude(withRecord(activeUser(user.id)));
    await cold.settle();
    expect(await rows()).toHaveLength(4);
    await cold.db.execute(sql.raw(`INSERT INTO ${name} (v) VALUES ('cold route')`));
    expect((await rows()).slice(4)).toEqual(['cold route', 'record']);
    await cold.finish();
    expect(cold.roundTrips.count).toBe(2);
    const quiet = createRequestDb(env);
    quiet.prelude(withRecord(activeUser(user.id)));
    await quiet.settle();
    await quiet.finish();
    expect((await rows()).slice(6)).toEqual(['record']);
    expect(quiet.roundTrips.count).toBe(2);

    // A failed check records nothing.
    for (const end of ['settle', 'finish'] as const) {
      const gone = createRequestDb(env);
      gone.prelude(withRecord(activeUser(crypto.randomUUID()))).catch(() => undefined);
      await expect(gone[end]()).rejects.toBeInstanceOf(Gone);
      await expect(gone.finish()).rejects.toBeInstanceOf(Gone);
    }
    expect(await rows()).toHaveLength(7);
  });

  it("an API key's concurrent requests do not queue behind each other's statements (its use is recorded last)", async () => {
    const keyed = await userWithKey(['read']);
    const hash = await sha256Hex(keyed.apiKey);
    const keyCheck = (): PreludeSpec => ({
      text: API_KEY_PRELUDE,
      params: [hash, keyed.id, 'read', API_PLANS],
      failedHere: () => false,
      failure: (err) => err as Error,
      record: { text: API_KEY_USED, params: [hash] },
    });
    const slow = createRequestDb(env);
    slow.prelude(keyCheck());
    const slowDone = slow.db.execute(sql`SELECT pg_sleep(1.5)`).then(() => Date.now());
    await new Promise((r) => setTimeout(r, 300));
    const quick = createRequestDb(env);
    quick.prelude(keyCheck());
    const started = Date.now();
    await quick.db.execute(sql`SELECT 1`);
    const quickDone = Date.now();
    // The embedded database has one session, where every request waits its turn anyway:
    // only a PostgreSQL server can show that the key's locks make nobody wait.
    if (!inject('embeddedDb')) {
      expect(quickDone - started).toBeLessThan(1000);
      expect(quickDone).toBeLessThan(await slowDone);
    }
    await slowDone;
    const [usage] = await withDb((db) => db.select().from(apiKeyUsage).where(eq(apiKeyUsage.keyId, keyed.keyId)));
    expect(usage.requests).toBe(2);
  });

  it('settles a prelude no statement carried, alone', async () => {
    const rdb = createRequestDb(env);
    rdb.prelude(activeUser(crypto.randomUUID())).catch(() => undefined);
    await expect(rdb.settle()).rejects.toBeInstanceOf(Gone);
    expect(rdb.roundTrips.count).toBe(1);
  });
});

describe('bearer tokens on the HTTP driver', () => {
  it('an authenticated read costs one round trip; a deactivated user gets 401 from it', async () => {
    const user = await registerUser('rdb-route');
    const ok = await rawCall('/imports', { token: user.token });
    expect(ok.status).toBe(200);
    expect(ok.roundTrips).toBe(1);
    await withDb((db) => db.update(users).set({ isActive: false }).where(eq(users.id, user.id)));
    const jwtOnly = await rawCall('/api-keys', { token: user.token });
    expect(jwtOnly.status).toBe(401);
    expect(jwtOnly.json.detail).toBe('User not found or inactive');
    expect(jwtOnly.res.headers.get('WWW-Authenticate')).toBe('Bearer');
    expect(jwtOnly.roundTrips).toBe(1);
    const tokenOrKey = await rawCall('/imports', { token: user.token });
    expect(tokenOrKey.status).toBe(401);
    expect(tokenOrKey.json.detail).toBe('Not authenticated. Provide a Bearer token or X-API-Key.');
    const me = await answer(api({ token: user.token }).auth.me.$get());
    expect(me.status).toBe(401);
  });

  it("a write by a deactivated user takes no effect (the user is checked before the route's statement)", async () => {
    const user = await registerUser('rdb-write');
    await withDb((db) => db.update(users).set({ isActive: false }).where(eq(users.id, user.id)));
    const created = await rawCall('/suppliers/accounts', { token: user.token, body: { name: 'Spocket', platform: 'spocket', credentials: { api_key: 'sp-1' } } });
    expect(created.status).toBe(401);
    expect(created.roundTrips).toBe(1);
  });

  it('a route that sends no statement still checks the user before answering', async () => {
    const user = await registerUser('rdb-nostmt');
    const me = await rawCall('/auth/me', { token: user.token });
    expect(me.status).toBe(200);
    expect(me.json.email).toBe(user.email);
    expect(me.roundTrips).toBe(1);
  });
});
