import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importJobStatus, importSource, supplierAccounts } from '../db/schema';
import { IMPORT_JOB_STATUSES } from '../shared/import-jobs';
import {
  catalogueFor,
  canonicalSource,
  IMPORT_SOURCES,
  PLATFORMS_FOR,
  storedSource,
  supplierLabel,
  supplierSourceOf,
  SUPPLIER_SOURCES,
} from '../shared/sources';
import { hasLiveAccountSql } from '../suppliers/resolve';
import { registerUser, withDb } from './helpers';

describe('sources', () => {
  it('builds the importsource and importjobstatus database enums from the shared lists', () => {
    expect(importSource.enumValues).toEqual(['aliexpress', 'cjdropship', 'spocket', 'manual']);
    expect(IMPORT_SOURCES).toEqual(importSource.enumValues);
    expect(importJobStatus.enumValues).toEqual(['pending', 'running', 'completed', 'failed', 'cancelled']);
    expect(IMPORT_JOB_STATUSES).toEqual(importJobStatus.enumValues);
  });

  it('takes client values in their exact spelling, with cjdropshipping as an alias', () => {
    expect(['aliexpress', 'cjdropshipping', 'manual', 'AliExpress', 'toString', ' spocket'].map(canonicalSource)).toEqual([
      'aliexpress',
      'cjdropship',
      'manual',
      null,
      null,
      null,
    ]);
  });

  it('reads stored watch sources in any case and keeps free text as sent', () => {
    expect([' CJDropshipping ', 'Spocket', 'manual', 'constructor'].map(supplierSourceOf)).toEqual(['cjdropship', 'spocket', null, null]);
    expect(['cjdropshipping', 'CJDropshipping', 'etsy'].map(storedSource)).toEqual(['cjdropship', 'CJDropshipping', 'etsy']);
    expect(['cjdropship', 'spocket', 'manual', 'etsy', 'constructor'].map(supplierLabel)).toEqual(['CJ Dropshipping', 'Spocket', 'manual', 'etsy', 'constructor']);
  });

  it('maps each supplier to the account platforms that hold its credentials', () => {
    expect(PLATFORMS_FOR).toEqual({ aliexpress: ['aliexpress'], cjdropship: ['cjdropshipping', 'cjdropship'], spocket: ['spocket'] });
  });

  it('answers from a live account when there is one, else the demo catalogue; Spocket only from the demo', () => {
    const table = SUPPLIER_SOURCES.flatMap((source) =>
      [true, false].flatMap((hasAccount) => [true, false].map((demoOn) => `${source} ${hasAccount} ${demoOn} ${catalogueFor(source, { hasAccount, demoOn })}`)),
    );
    expect(table).toEqual([
      'aliexpress true true live',
      'aliexpress true false live',
      'aliexpress false true demo',
      'aliexpress false false null',
      'cjdropship true true live',
      'cjdropship true false live',
      'cjdropship false true demo',
      'cjdropship false false null',
      'spocket true true demo',
      'spocket true false null',
      'spocket false true demo',
      'spocket false false null',
    ]);
  });
});

describe('hasLiveAccountSql', () => {
  it('finds an active account with credentials for a watch source, in any case and either CJ spelling', async () => {
    const user = await registerUser('sources');
    await withDb((db) =>
      db.insert(supplierAccounts).values([
        { userId: user.id, name: 'CJ', platform: 'CJDropshipping', credentials: 'sealed', isActive: true },
        { userId: user.id, name: 'Ali off', platform: 'aliexpress', credentials: 'sealed', isActive: false },
        { userId: user.id, name: 'Spocket', platform: 'spocket', credentials: null, isActive: true },
      ]),
    );
    const sources = ['cjdropship', 'CJDROPSHIPPING', ' cjdropship', 'aliexpress', 'spocket', 'etsy'];
    const live = await withDb((db) =>
      Promise.all(
        sources.map(async (source) => {
          const r = await db.execute<{ live: boolean }>(sql`SELECT ${hasLiveAccountSql(sql`${user.id}::uuid`, sql`${source}::text`)} AS live`);
          return r.rows[0].live;
        }),
      ),
    );
    // Untrimmed sources are not matched, as the price check's SQL never trimmed them.
    expect(live).toEqual([true, true, false, false, false, false]);
  });
});
