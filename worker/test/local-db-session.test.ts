import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/client';
import { httpSql, viaPool } from './db-probe';

/**
 * The local database's two protocols interleaved (scripts/pglite-session.ts): the
 * WebSocket bridge and the Neon HTTP endpoint reach the same database. On the embedded
 * PGlite (one backend, one session) they take whole turns: a WebSocket transaction
 * excludes HTTP statements until it ends, an HTTP batch runs whole, and concurrent
 * extended-protocol exchanges never mix. On a real PostgreSQL (DATABASE_URL) each has its
 * own connection; the observable outcome asserted here is the same on both.
 */

const table = `session_probe_${crypto.randomUUID().slice(0, 8)}`;

/** Whether both protocols reach the same backend: the embedded database (PGlite), not a real server. */
async function oneSession(): Promise<boolean> {
  const [viaHttp] = await httpSql().query('SELECT pg_backend_pid() AS pid');
  return viaHttp.pid === (await viaPool('SELECT pg_backend_pid() AS pid')).rows[0].pid;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  await viaPool(`CREATE TABLE ${table} (id serial PRIMARY KEY, tag text NOT NULL)`);
});

afterAll(async () => {
  await viaPool(`DROP TABLE IF EXISTS ${table}`);
});

describe('the local database shared by the WebSocket bridge and the HTTP endpoint', () => {
  it('an HTTP statement sent during a WebSocket transaction neither joins it nor sees its rows', async () => {
    const embedded = await oneSession();
    const { pool } = createDb(env);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${table} (tag) VALUES ('ws-rolled-back')`);
      const sql = httpSql();
      // Sent while the transaction is open, in this order.
      // (A query is sent each time it is awaited or then()'d: take its answer once.)
      const settled: string[] = [];
      const insert = sql.query(`INSERT INTO ${table} (tag) VALUES ('http') RETURNING tag`).then((rows) => {
        settled.push('insert');
        return rows;
      });
      const read = sql.query(`SELECT tag FROM ${table} WHERE tag <> 'http' ORDER BY id`).then((rows) => {
        settled.push('read');
        return rows;
      });
      await delay(150);
      if (embedded) {
        // On the embedded database they wait for the transaction's turn to end.
        expect(settled).toEqual([]);
      }
      // The transaction goes on after the HTTP statements were sent.
      expect((await client.query(`SELECT count(*)::int AS n FROM ${table} WHERE tag = 'ws-rolled-back'`)).rows[0].n).toBe(1);
      await client.query('ROLLBACK');
      expect(await insert).toEqual([{ tag: 'http' }]);
      // Neither statement ran inside the rolled-back transaction: the insert stayed and
      // the read never saw the uncommitted row.
      expect(await read).toEqual([]);
      expect(settled.sort()).toEqual(['insert', 'read']);
    } finally {
      client.release();
      await pool.end();
    }
    const after = await viaPool(`SELECT tag FROM ${table} ORDER BY id`);
    expect(after.rows).toEqual([{ tag: 'http' }]);
    await viaPool(`DELETE FROM ${table}`);
  });

  it('an HTTP batch runs whole: WebSocket statements never see half of it', async () => {
    const sql = httpSql();
    const batches = Array.from({ length: 5 }, (_, n) =>
      sql.transaction([
        sql.query(`INSERT INTO ${table} (tag) VALUES ($1)`, [`batch-${n}-a`]),
        sql.query('SELECT pg_sleep(0.02)'),
        sql.query(`INSERT INTO ${table} (tag) VALUES ($1)`, [`batch-${n}-b`]),
      ]),
    );
    const counts: number[] = [];
    let done = false;
    const all = Promise.all(batches).finally(() => {
      done = true;
    });
    const { pool } = createDb(env);
    try {
      while (!done) {
        const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE tag LIKE 'batch-%'`);
        counts.push(rows[0].n);
      }
    } finally {
      await pool.end();
    }
    await all;
    expect(counts.length).toBeGreaterThan(0);
    // Always a whole number of batches (two rows each), never one half-done.
    expect(counts.filter((n) => n % 2 !== 0)).toEqual([]);
    expect((await viaPool(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(10);
    await viaPool(`DELETE FROM ${table}`);
  });

  it('a failed HTTP batch rolls back without leaving the session inside a transaction', async () => {
    const sql = httpSql();
    await expect(
      sql.transaction([sql.query(`INSERT INTO ${table} (tag) VALUES ('doomed')`), sql.query('SELECT 1/0')]),
    ).rejects.toThrow(/division by zero/);
    // A WebSocket statement right after is not inside a leftover transaction: its write
    // stays after its connection ends.
    await viaPool(`INSERT INTO ${table} (tag) VALUES ('after')`);
    expect((await viaPool(`SELECT tag FROM ${table} ORDER BY id`)).rows).toEqual([{ tag: 'after' }]);
    await viaPool(`DELETE FROM ${table}`);
  });

  it('concurrent statements and batches over both protocols never mix (each Parse meets its own Bind)', async () => {
    const sql = httpSql();
    const pools = Array.from({ length: 4 }, () => createDb(env).pool);
    // Statements of different shapes and parameter counts: were one connection's Bind to
    // reach another's unnamed statement, Postgres would refuse it or answer another's row.
    const shapes: ((n: number) => { text: string; params: unknown[]; want: { v: string } })[] = [
      (n: number) => ({ text: 'SELECT $1::text AS v', params: [`one-${n}`], want: { v: `one-${n}` } }),
      (n: number) => ({ text: 'SELECT $1::text || $2::text || $3::text || $4::text AS v', params: ['f', 'o', 'u', `r-${n}`], want: { v: `four-${n}` } }),
      (n: number) => ({ text: 'SELECT ($1::int + $2::int)::text AS v', params: [n, 1000], want: { v: String(n + 1000) } }),
    ];
    try {
      const work = Array.from({ length: 240 }, (_, n) => {
        const { text, params, want } = shapes[n % 3]!(n);
        // Odd: over HTTP, every other one as a batch (a transaction of its own);
        // even: over one of the WebSocket pools.
        const answer =
          n % 2 === 0
            ? pools[n % 4]!.query(text, params).then((r) => r.rows[0])
            : n % 4 === 1
              ? sql.query(text, params).then((rows) => rows[0])
              : sql.transaction([sql.query('SELECT 1 AS one'), sql.query(text, params)]).then(([, rows]) => rows![0]);
        return answer.then((got) => expect(got).toEqual(want));
      });
      await Promise.all(work);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
