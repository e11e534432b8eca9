import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { supplierAccounts } from '../db/schema';
import { isUniqueViolation } from '../lib/pg-errors';
import { encryptJson, maskSecret, supplierCredentials } from '../lib/secrets';
import { isoZ } from '../lib/time';

export type SupplierAccountRow = typeof supplierAccounts.$inferSelect;
export type Credentials = Record<string, unknown>;
export type SupplierSettings = Record<string, unknown>;

/**
 * The wire shape (API.md §2.5, §6): `credentials` carries the stored keys with masked
 * values, never the secrets. `settings` (ship-to country, currency, language) is an
 * additive field: non-secret options the adapters read.
 */
export const supplierAccountOut = (r: SupplierAccountRow) => ({
  id: r.id,
  user_id: r.userId,
  name: r.name,
  platform: r.platform,
  credentials: (r.credentialsMask as Record<string, string | null> | null) ?? null,
  settings: (r.settings as SupplierSettings | null) ?? null,
  is_active: r.isActive,
  last_synced_at: isoZ(r.lastSyncedAt),
  auth_type: r.authType,
  status: r.status,
  status_detail: r.statusDetail,
  token_expires_at: isoZ(r.tokenExpiresAt),
  refresh_token_expires_at: isoZ(r.refreshTokenExpiresAt),
  created_at: isoZ(r.createdAt)!,
  updated_at: isoZ(r.updatedAt)!,
});

/** Same keys, each value shown as "••••" + its last four characters (null stays null). */
export function maskCredentials(credentials: Credentials): Record<string, string | null> {
  return Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, v === null ? null : maskSecret(typeof v === 'string' ? v : String(v))]));
}

/** The credentials encrypted for the account row `id` of `userId`, and their mask. */
async function sealed(encryptionKey: string, row: { id: string; userId: string }, credentials: Credentials | null | undefined) {
  if (credentials == null) return { credentials: null, credentialsMask: null };
  return { credentials: await encryptJson(encryptionKey, credentials, supplierCredentials(row)), credentialsMask: maskCredentials(credentials) };
}

export const duplicateAccountDetail = (name: string, platform: string) =>
  `Supplier account with name '${name}' and platform '${platform}' already exists.`;

/** Ordered by platform, then name (API.md §2.5). One round trip. */
export function listSupplierAccounts(db: Db, userId: string) {
  return db
    .select()
    .from(supplierAccounts)
    .where(eq(supplierAccounts.userId, userId))
    .orderBy(asc(supplierAccounts.platform), asc(supplierAccounts.name), asc(supplierAccounts.createdAt));
}

export interface NewSupplierAccount {
  name: string;
  platform: string;
  credentials?: Credentials | null;
  settings?: SupplierSettings | null;
}

/** Inserts the account; null when the user already has one with this exact (name, platform). */
export async function createSupplierAccount(db: Db, encryptionKey: string, userId: string, input: NewSupplierAccount) {
  // The id is chosen here so the credentials can be bound to the row they are stored in.
  const id = crypto.randomUUID();
  const [row] = await db
    .insert(supplierAccounts)
    .values({ id, userId, name: input.name, platform: input.platform, settings: input.settings ?? null, ...(await sealed(encryptionKey, { id, userId }, input.credentials)) })
    .onConflictDoNothing({ target: [supplierAccounts.userId, supplierAccounts.name, supplierAccounts.platform] })
    .returning();
  return row ?? null;
}

export interface SupplierAccountPatch {
  name?: string | null;
  platform?: string | null;
  credentials?: Credentials | null;
  settings?: SupplierSettings | null;
  is_active?: boolean | null;
}

export type UpdateOutcome = { kind: 'updated'; row: SupplierAccountRow } | { kind: 'not_found' } | { kind: 'duplicate'; detail: string };

/**
 * Applies a PUT: absent or null fields stay as they are; new credentials replace the
 * old ones, encrypted again. The contract has no duplicate check on update, but the
 * unique index does: moving onto an existing (name, platform) answers like a create.
 */
export async function updateSupplierAccount(db: Db, encryptionKey: string, userId: string, id: string, patch: SupplierAccountPatch): Promise<UpdateOutcome> {
  const set: Partial<typeof supplierAccounts.$inferInsert> = { updatedAt: new Date() };
  if (patch.name != null) set.name = patch.name;
  if (patch.platform != null) set.platform = patch.platform;
  if (patch.is_active != null) set.isActive = patch.is_active;
  if (patch.settings != null) set.settings = patch.settings;
  if (patch.credentials != null) {
    // Pasted credentials replace a linked authorization: the account is the merchant's own app again, connected.
    Object.assign(set, await sealed(encryptionKey, { id, userId }, patch.credentials), {
      authType: 'pasted',
      status: 'connected',
      statusDetail: null,
      tokenExpiresAt: null,
      refreshTokenExpiresAt: null,
      reauthAlertedAt: null,
      tokenVersion: sql`${supplierAccounts.tokenVersion} + 1`,
    });
  }
  try {
    const [row] = await db
      .update(supplierAccounts)
      .set(set)
      .where(and(eq(supplierAccounts.id, id), eq(supplierAccounts.userId, userId)))
      .returning();
    return row ? { kind: 'updated', row } : { kind: 'not_found' };
  } catch (err) {
    if (isUniqueViolation(err, 'supplier_accounts_user_name_platform_uq')) {
      // Only on this error path: the message names the pair that collided.
      const [current] = await db
        .select({ name: supplierAccounts.name, platform: supplierAccounts.platform })
        .from(supplierAccounts)
        .where(and(eq(supplierAccounts.id, id), eq(supplierAccounts.userId, userId)));
      return { kind: 'duplicate', detail: duplicateAccountDetail(patch.name ?? current?.name ?? '', patch.platform ?? current?.platform ?? '') };
    }
    throw err;
  }
}

/** Hard delete; false when the account is not the user's. */
export async function deleteSupplierAccount(db: Db, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(supplierAccounts)
    .where(and(eq(supplierAccounts.id, id), eq(supplierAccounts.userId, userId)))
    .returning({ id: supplierAccounts.id });
  return rows.length > 0;
}
