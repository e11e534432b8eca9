import { env } from 'cloudflare:workers';
import { NeonDbError, errorFields, type DatabaseError } from '@neondatabase/serverless';
import { eq, sql as dsql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createHttpDb } from '../db/client';
import { apiKeys, importJobs, priceWatches, users } from '../db/schema';
import { httpSql, viaPool } from './db-probe';

/**
 * The local Neon HTTP endpoint (scripts/neon-http.ts) against the driver itself, inside
 * workerd: what `neon()` and drizzle's neon-http get back must be what the WebSocket
 * Pool gets for the same statement, so a difference from Neon fails here first.
 */

const table = `neon_http_probe_${crypto.randomUUID().slice(0, 8)}`;

async function poolError(text: string, params: unknown[] = []): Promise<DatabaseError> {
  const err = await viaPool(text, params).then(
    () => null,
    (e: DatabaseError) => e,
  );
  if (!err) throw new Error(`expected ${text} to fail`);
  return err;
}

async function httpError(run: () => Promise<unknown>): Promise<NeonDbError> {
  const err = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NeonDbError);
  return err as NeonDbError;
}

/** The fields the driver copies from the endpoint's JSON error onto NeonDbError. */
const fieldsOf = (err: object) => Object.fromEntries(['message', ...errorFields].map((k) => [k, (err as Record<string, unknown>)[k] ?? undefined]));

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(env.DB_HTTP_ENDPOINT, {
    method: 'POST',
    headers: { 'Neon-Connection-String': env.DATABASE_URL, 'Neon-Raw-Text-Output': 'true', 'Neon-Array-Mode': 'true', ...headers },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json()) as any };
}

beforeAll(async () => {
  await viaPool(`CREATE TABLE ${table} (
    id integer PRIMARY KEY,
    u uuid, t text, v varchar(20), va varchar(50)[], i integer, b bigint, n numeric(12, 2),
    bo boolean, ts timestamptz, d date, j jsonb, plan plantier, status importjobstatus,
    source importsource, sub subscriptionstatus
  )`);
});

afterAll(async () => {
  await viaPool(`DROP TABLE IF EXISTS ${table}`);
});

describe('local Neon HTTP endpoint, single queries', () => {
  it('runs a parameterised query as the driver sends it', async () => {
    const sql = httpSql();
    expect(await sql.query('SELECT $1::int + $2::int AS sum, $3::text AS t', [1, 2, 'x'])).toEqual([{ sum: 3, t: 'x' }]);
    const n = 41;
    expect(await sql`SELECT ${n} + 1 AS answer`).toEqual([{ answer: 42 }]);
  });

  it('answers in array mode with fields, command and rowCount', async () => {
    const sql = httpSql();
    const rows = await sql.query('SELECT 1::int AS a, $1::text AS b', ['x'], { arrayMode: true });
    expect(rows).toEqual([[1, 'x']]);
    const full = await sql.query('SELECT g::int8 AS n FROM generate_series(1, 3) g', [], { arrayMode: true, fullResults: true });
    const pool = await viaPool('SELECT g::int8 AS n FROM generate_series(1, 3) g');
    expect(full.rows).toEqual([['1'], ['2'], ['3']]);
    expect(full.command).toBe('SELECT');
    expect(full.rowCount).toBe(3);
    expect(full.rowAsArray).toBe(true);
    expect(full.fields).toEqual(pool.fields.map((f) => ({ ...f, format: 'text' })));
    expect(full.fields[0].dataTypeID).toBe(20);
  });

  it('reports command and rowCount of writes as Postgres tags them', async () => {
    const sql = httpSql();
    const ins = await sql.query(`INSERT INTO ${table} (id) VALUES (1000), (1001)`, [], { fullResults: true });
    expect([ins.command, ins.rowCount, ins.fields]).toEqual(['INSERT', 2, []]);
    const upd = await sql.query(`UPDATE ${table} SET i = 1 WHERE id >= 1000`, [], { fullResults: true });
    expect([upd.command, upd.rowCount]).toEqual(['UPDATE', 2]);
    const del = await sql.query(`DELETE FROM ${table} WHERE id >= 1000 RETURNING id`, [], { fullResults: true });
    expect([del.command, del.rowCount, del.rows]).toEqual(['DELETE', 2, [{ id: 1000 }, { id: 1001 }]]);
  });

  it('returns every column type the schema uses (and nulls) as the WebSocket Pool does', async () => {
    const sql = httpSql();
    const values = [
      1,
      crypto.randomUUID(),
      'text with "quotes", commas and ünïcødé',
      'varchar',
      ['read', 'write', 'with space', 'quo"te'],
      -2147483648,
      '9007199254740993',
      '12345.67',
      true,
      '2026-03-04T05:06:07.891Z',
      '2026-03-04',
      JSON.stringify({ nested: { a: [1, 2.5, null, 'x'] }, big: 12345678901234567890 }),
      'enterprise',
      'running',
      'cjdropship',
      'past_due',
    ];
    const insert = `INSERT INTO ${table} (id, u, t, v, va, i, b, n, bo, ts, d, j, plan, status, source, sub) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`;
    await sql.query(insert, values);
    await sql.query(`INSERT INTO ${table} (id) VALUES (2)`);
    const select = `SELECT * FROM ${table} WHERE id IN (1, 2) ORDER BY id`;
    const viaHttp = await sql.query(select, [], { fullResults: true });
    const viaWs = await viaPool(select);
    expect(viaHttp.rows).toEqual(viaWs.rows);
    expect(viaHttp.fields).toEqual(viaWs.fields.map((f) => ({ ...f, format: 'text' })));
    const [full, empty] = viaHttp.rows;
    expect(full.va).toEqual(['read', 'write', 'with space', 'quo"te']);
    expect(full.ts).toEqual(new Date('2026-03-04T05:06:07.891Z'));
    expect(full.j).toEqual({ nested: { a: [1, 2.5, null, 'x'] }, big: 12345678901234567000 });
    expect(Object.values(empty).filter((v) => v !== null)).toEqual([2]);
  });

  it('gives drizzle (neon-http) the same rows as drizzle over the Pool, and counts one request per query', async () => {
    const { db: ws, pool } = createDb(env);
    try {
      const [user] = await ws.insert(users).values({ email: `neon-http-${crypto.randomUUID()}@example.com`, plan: 'pro' }).returning();
      await ws.insert(apiKeys).values({ userId: user.id, name: 'k', keyHash: crypto.randomUUID(), keyPrefix: 'sp_x', scopes: ['read', 'write'] });
      await ws.insert(importJobs).values({ userId: user.id, source: 'aliexpress', productData: { title: 'T', price: 1.5 }, config: null });
      await ws.insert(priceWatches).values({ userId: user.id, source: 'aliexpress', thresholdPercent: '7.50', currentPrice: '19.99' });

      const { db, roundTrips } = createHttpDb(env);
      const read = (d: typeof ws | typeof db) =>
        Promise.all([
          d.select().from(users).where(eq(users.id, user.id)),
          d.select().from(apiKeys).where(eq(apiKeys.userId, user.id)),
          d.select().from(importJobs).where(eq(importJobs.userId, user.id)),
          d.select().from(priceWatches).where(eq(priceWatches.userId, user.id)),
          d.select({ n: dsql<number>`count(*)::int`, total: dsql<string>`count(*)` }).from(apiKeys).where(eq(apiKeys.userId, user.id)),
        ]);
      const overHttp = await read(db);
      expect(overHttp).toEqual(await read(ws));
      expect(overHttp[0][0].createdAt).toBeInstanceOf(Date);
      expect(roundTrips.count).toBe(5);
    } finally {
      await pool.end();
    }
  });
});

describe('local Neon HTTP endpoint, batches', () => {
  it('runs a batch as one transaction in one request, and drizzle db.batch counts once', async () => {
    const sql = httpSql();
    const [a, b] = await sql.transaction([sql.query(`INSERT INTO ${table} (id, t) VALUES (10, 'a') RETURNING id, t`), sql.query(`SELECT count(*) AS n FROM ${table} WHERE id = 10`)]);
    expect(a).toEqual([{ id: 10, t: 'a' }]);
    expect(b).toEqual([{ n: '1' }]);

    const { db, roundTrips } = createHttpDb(env);
    const [one, two] = await db.batch([db.select({ id: users.id }).from(users).limit(1), db.execute(dsql`SELECT 2 AS two`)]);
    expect(one.length).toBe(1);
    expect(two.rows).toEqual([{ two: 2 }]);
    expect(roundTrips.count).toBe(1);
  });

  it('sees its own earlier statements and shares one transaction id', async () => {
    const sql = httpSql();
    const txid = 'SELECT txid_current()::text AS xid';
    const [first, , seen, last] = await sql.transaction((tx) => [tx.query(txid), tx.query(`INSERT INTO ${table} (id) VALUES (20)`), tx.query(`SELECT id FROM ${table} WHERE id = 20`), tx.query(txid)]);
    expect(seen).toEqual([{ id: 20 }]);
    expect(last).toEqual(first);
    // Outside a batch each statement is its own transaction.
    expect(await sql.query(txid)).not.toEqual(await sql.query(txid));
  });

  it('rolls the whole batch back when a statement in the middle fails', async () => {
    const sql = httpSql();
    const err = await httpError(() =>
      sql.transaction([
        sql.query(`INSERT INTO ${table} (id) VALUES (30)`),
        sql.query(`INSERT INTO ${table} (id) VALUES (30)`),
        sql.query(`INSERT INTO ${table} (id) VALUES (31)`),
      ]),
    );
    expect(err.code).toBe('23505');
    expect(await sql.query(`SELECT id FROM ${table} WHERE id IN (30, 31)`)).toEqual([]);
    expect((await viaPool(`SELECT id FROM ${table} WHERE id IN (30, 31)`)).rows).toEqual([]);
    // The session the failed batch used is usable again, not left inside the aborted transaction.
    expect(await sql.transaction([sql.query('SELECT 1 AS ok')])).toEqual([[{ ok: 1 }]]);
  });

  it('applies the isolation level, read-only and deferrable options', async () => {
    const sql = httpSql();
    const show = () => [sql.query('SHOW transaction_isolation'), sql.query('SHOW transaction_read_only'), sql.query('SHOW transaction_deferrable')];
    expect(await sql.transaction(show())).toEqual([[{ transaction_isolation: 'read committed' }], [{ transaction_read_only: 'off' }], [{ transaction_deferrable: 'off' }]]);
    expect(await sql.transaction(show(), { isolationLevel: 'Serializable', readOnly: true, deferrable: true })).toEqual([
      [{ transaction_isolation: 'serializable' }],
      [{ transaction_read_only: 'on' }],
      [{ transaction_deferrable: 'on' }],
    ]);
    expect((await sql.transaction(show(), { isolationLevel: 'RepeatableRead' }))[0]).toEqual([{ transaction_isolation: 'repeatable read' }]);
    const err = await httpError(() => sql.transaction([sql.query(`INSERT INTO ${table} (id) VALUES (40)`)], { readOnly: true }));
    expect(err.code).toBe('25006');
    expect(await sql.query(`SELECT id FROM ${table} WHERE id = 40`)).toEqual([]);
  });

  it('keeps concurrent batches apart', async () => {
    const sql = httpSql();
    const ids = Array.from({ length: 8 }, (_, i) => 100 + i);
    const results = await Promise.all(
      ids.map((id) =>
        sql.transaction([
          sql.query(`INSERT INTO ${table} (id, i) VALUES ($1, $1)`, [id]),
          sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE id >= 100 AND i = $1`, [id]),
          sql.query(`DELETE FROM ${table} WHERE id = $1 RETURNING id`, [id]),
        ]),
      ),
    );
    expect(results.map((r) => r[1][0].n)).toEqual(ids.map(() => 1));
    expect(await sql.query(`SELECT id FROM ${table} WHERE id >= 100`)).toEqual([]);
  });
});

describe('local Neon HTTP endpoint, errors', () => {
  it('carries the Postgres error fields the driver exposes, as the Pool reports them', async () => {
    const sql = httpSql();
    await sql.query(`INSERT INTO ${table} (id) VALUES (50)`);
    const cases: [string, unknown[]][] = [
      [`INSERT INTO ${table} (id) VALUES ($1)`, [50]],
      ['SELEC 1', []],
      [`SELECT nope FROM ${table}`, []],
      ['SELECT $1::uuid', ['not-a-uuid']],
      [`INSERT INTO ${table} (id, plan) VALUES (51, $1)`, ['platinum']],
      [`INSERT INTO ${table} (id, v) VALUES (52, $1)`, ['x'.repeat(21)]],
      ['SELECT 1/0', []],
    ];
    for (const [text, params] of cases) {
      const viaHttp = await httpError(() => sql.query(text, params));
      const viaWs = await poolError(text, params);
      expect(fieldsOf(viaHttp), text).toEqual(fieldsOf(viaWs));
    }
    const dup = await httpError(() => sql.query(`INSERT INTO ${table} (id) VALUES (50)`));
    expect([dup.code, dup.detail, dup.constraint, dup.table, dup.schema, dup.severity]).toEqual(['23505', 'Key (id)=(50) already exists.', `${table}_pkey`, table, 'public', 'ERROR']);
    const syntax = await httpError(() => sql.query('SELEC 1'));
    expect([syntax.code, syntax.position]).toEqual(['42601', '1']);
  });

  it('answers request errors as Neon does: 400 with a message and empty code', async () => {
    const badLevel = await post({ queries: [{ query: 'SELECT 1', params: [] }] }, { 'Neon-Batch-Isolation-Level': 'Snapshot' });
    expect(badLevel.res.status).toBe(400);
    expect(badLevel.json).toMatchObject({ message: 'invalid isolation level', code: '', detail: null, severity: '' });

    const noConn = await fetch(env.DB_HTTP_ENDPOINT, { method: 'POST', body: JSON.stringify({ query: 'SELECT 1', params: [] }) });
    expect(noConn.status).toBe(400);
    expect(((await noConn.json()) as { message: string }).message).toBe('invalid header: neon-connection-string');

    const badBody = await post({ sql: 'SELECT 1' });
    expect(badBody.res.status).toBe(400);
    expect(badBody.json.message).toMatch(/^could not parse the HTTP request body/);

    const other = new URL(env.DATABASE_URL);
    other.pathname = '/some_other_db';
    const wrongDb = await post({ query: 'SELECT 1', params: [] }, { 'Neon-Connection-String': other.href });
    expect(wrongDb.res.status).toBe(400);

    const err = await httpError(() => httpSql().query('SELEC 1'));
    expect(err.message).toBe('syntax error at or near "SELEC"');
  });

  it('refuses several statements in one query, as Neon\'s extended protocol does', async () => {
    const err = await httpError(() => httpSql().query('SELECT 1; SELECT 2'));
    expect([err.code, err.message]).toEqual(['42601', 'cannot insert multiple commands into a prepared statement']);
  });
});

describe('local Neon HTTP endpoint, wire format', () => {
  it('answers the raw protocol with Neon result objects and echoes the batch options', async () => {
    const { res, json } = await post(
      { queries: [{ query: 'SELECT $1::int AS a, NULL::text AS b', params: [7] }, { query: 'SELECT 1 AS c', params: [], arrayMode: false }] },
      { 'Neon-Batch-Isolation-Level': 'RepeatableRead', 'Neon-Batch-Read-Only': 'true' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('Neon-Batch-Isolation-Level')).toBe('RepeatableRead');
    expect(res.headers.get('Neon-Batch-Read-Only')).toBe('true');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(json.results[0]).toEqual({
      fields: [
        { name: 'a', tableID: 0, columnID: 0, dataTypeID: 23, dataTypeSize: 4, dataTypeModifier: -1, format: 'text' },
        { name: 'b', tableID: 0, columnID: 0, dataTypeID: 25, dataTypeSize: -1, dataTypeModifier: -1, format: 'text' },
      ],
      rows: [['7', null]],
      command: 'SELECT',
      rowCount: 1,
      rowAsArray: true,
    });
    expect(json.results[1].rows).toEqual([{ c: '1' }]);
    expect(json.results[1].rowAsArray).toBe(false);
  });

  it('converts values to JSON types when raw text output is off, as json.rs does', async () => {
    const { json } = await post(
      { query: `SELECT true AS bo, 5::int2 AS s, 1.5::float8 AS f, 'NaN'::float8 AS nan, 9::int8 AS big, '{"a":1}'::jsonb AS j, ARRAY[1, NULL]::int[] AS ai, ARRAY['x y', 'z']::text[] AS at, ARRAY['pro']::plantier[] AS ae`, params: [] },
      { 'Neon-Raw-Text-Output': 'false', 'Neon-Array-Mode': 'false' },
    );
    expect(json.rows).toEqual([{ bo: true, s: 5, f: 1.5, nan: 'NaN', big: '9', j: { a: 1 }, ai: [1, null], at: ['x y', 'z'], ae: ['pro'] }]);
  });

  it('turns JSON params into Postgres text as Neon does (arrays as array literals, objects as JSON)', async () => {
    const { json } = await post({ query: 'SELECT $1::int[] AS a, $2::jsonb AS j, $3::bool AS b, $4::text[] AS t', params: [[1, 2, null], { k: 'v' }, true, ['a"b', 'c']] });
    expect(json.rows).toEqual([['{1,2,NULL}', '{"k": "v"}', 't', '{"a\\"b",c}']]);
  });
});
