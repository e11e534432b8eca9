import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { checkedWithFirstStatement, requireUser } from '../middleware/auth';
import { createImports, enqueueJobs, importLimitDetail } from '../services/imports';
import { canonicalSource } from '../shared/sources';

/** TrendScout scores at or above this trigger an import (API.md §2.10). */
export const AUTO_IMPORT_SCORE_THRESHOLD = 50;

const scored = z.object({
  product_url: z.string().min(1).max(2000),
  source: z.string().min(1).max(50),
  score: z.number(),
  product_name: z.string().min(1).max(500),
  category: z.string().max(255).nullish(),
});

const doc = routeDocs('webhooks');

/** POST /webhooks/product-scored: TrendScout's scored products, imported for the caller. */
export const trendscoutRoutes = new Hono<AppEnv>().post(
  '/product-scored',
  doc({ summary: 'TrendScout scored product (imports high scores)', status: 200 }),
  checkedWithFirstStatement,
  requireUser,
  validate('json', scored),
  async (c) => {
    const body = c.req.valid('json');
    const { score } = body;
    if (score < AUTO_IMPORT_SCORE_THRESHOLD) return c.json({ status: 'accepted' as const, import_triggered: false, score }, 200);

    const { user } = c.var.auth;
    const source = canonicalSource(body.source) ?? 'aliexpress';
    const result = await createImports(c.var.db, user, {
      urls: [body.product_url],
      source: source === 'manual' ? 'aliexpress' : source,
      storeId: null,
      config: { auto_import: true, trendscout_score: score, product_name: body.product_name, category: body.category ?? null },
      historyDetails: { auto_import: true, trendscout_score: score },
      dedupe: true,
    });
    switch (result.kind) {
      case 'created':
        await enqueueJobs(c.env.IMPORT_QUEUE, [result.jobs[0].id]);
        return c.json({ status: 'accepted' as const, import_triggered: true, import_job_id: result.jobs[0].id, score }, 200);
      case 'duplicate':
        return c.json(
          { status: 'accepted' as const, import_triggered: false, import_job_id: result.jobId, reason: 'An identical import is already pending or running', score },
          200,
        );
      default: {
        const plan = result.kind === 'limit' ? result.plan : (await c.var.auth.loaded()).plan;
        return c.json({ status: 'accepted' as const, import_triggered: false, reason: importLimitDetail(plan), score }, 200);
      }
    }
  },
);
