import { eq } from 'drizzle-orm';
import { importJobs, importListItems } from '../db/schema';
import { addToImportList } from '../services/import-list';
import { pricedProduct } from '../services/import-pipeline';
import type { JobRow } from '../services/imports';
import { normaliseManual } from '../services/manual-product';
import { withDb } from './helpers';

/** An import-list item as a review import leaves it (a completed draft job with a "Ships From" axis). */
export async function listItemOf(userId: string): Promise<string> {
  return withDb(async (db) => {
    const [job] = await db.insert(importJobs).values({ userId, source: 'manual', sourceUrl: 'manual://rt', status: 'completed', progressPercent: 100 }).returning();
    const product = normaliseManual(
      {
        title: 'Round-trip mug',
        price: 4,
        variants: [
          { sku: 'A', options: { Color: 'Red', 'Ships From': 'China' }, price: 4 },
          { sku: 'B', options: { Color: 'Red', 'Ships From': 'Spain' }, price: 5 },
        ],
      },
      job.id,
      'manual://rt',
    );
    const jobRow = { id: job.id, user_id: userId, source: 'manual', source_url: 'manual://rt' } as JobRow;
    await addToImportList(db, jobRow, pricedProduct(product, { markup_percent: 50 }).data, null);
    const [item] = await db.select({ id: importListItems.id }).from(importListItems).where(eq(importListItems.importJobId, job.id));
    return item.id;
  });
}
