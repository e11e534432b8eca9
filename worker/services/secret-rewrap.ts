import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { log } from '../lib/log';
import { decryptSecret, encryptSecret, keyring, type SecretBinding } from '../lib/secrets';

/**
 * The data migration of secrets at rest: every stored secret that is not a bound `v2`
 * value under the current key (a `v1` value written before the binding, or one encrypted
 * with an older key of the ring) is decrypted and written again, bound to its row and
 * owner with the current key. It needs ENCRYPTION_KEY, which only the worker holds, so it
 * runs from the cron (a bounded batch per run) rather than as SQL at deploy time. Each
 * write is conditional on the value it read, so a concurrent save always wins. Values
 * under a key id no longer in the ring cannot be read and are left alone (and skipped by
 * the query, so they never block the batch).
 */
const TARGETS: { table: SecretBinding['table']; column: string; id: string }[] = [
  { table: 'store_connections', column: 'api_key', id: 'id' },
  { table: 'store_connections', column: 'refresh_token', id: 'id' },
  { table: 'store_connections', column: 'client_secret', id: 'id' },
  { table: 'supplier_accounts', column: 'credentials', id: 'id' },
  { table: 'alert_settings', column: 'webhook_secret', id: 'user_id' },
];

export async function rewrapSecrets(db: Db, encryptionKey: string, limitPerColumn = 200): Promise<{ rewrapped: number; skipped: number }> {
  const ring = await keyring(encryptionKey);
  const current = `v2.${ring.current.kid}.%`;
  const kids = [...ring.byId.keys()];
  let rewrapped = 0;
  let skipped = 0;
  for (const t of TARGETS) {
    const col = sql.identifier(t.column);
    const { rows } = await db.execute<{ row_id: string; owner_id: string; value: string }>(sql`
      SELECT ${sql.identifier(t.id)}::text AS row_id, user_id::text AS owner_id, ${col} AS value
      FROM ${sql.identifier(t.table)}
      WHERE ${col} IS NOT NULL AND ${col} NOT LIKE ${current} AND split_part(${col}, '.', 2) = ANY(${sql.param(kids)}::text[])
      LIMIT ${limitPerColumn}`);
    for (const r of rows) {
      const bind: SecretBinding = { table: t.table, column: t.column, rowId: r.row_id, ownerId: r.owner_id };
      let plain: string;
      try {
        plain = await decryptSecret(encryptionKey, r.value, bind);
      } catch {
        // A v2 value that does not open for its own row was moved here: never re-bind it.
        skipped++;
        continue;
      }
      const sealed = await encryptSecret(encryptionKey, plain, bind);
      const { rows: done } = await db.execute(sql`
        UPDATE ${sql.identifier(t.table)} SET ${col} = ${sealed}
        WHERE ${sql.identifier(t.id)}::text = ${r.row_id} AND ${col} = ${r.value}
        RETURNING 1`);
      rewrapped += done.length;
    }
  }
  if (rewrapped || skipped) log.info('secrets re-encrypted', { rewrapped, skipped });
  return { rewrapped, skipped };
}
