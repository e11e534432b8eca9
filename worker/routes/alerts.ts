import { Hono } from 'hono';
import { z } from 'zod';
import { config, type AppEnv } from '../env';
import { badRequest, invalid } from '../lib/errors';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { requireUser } from '../middleware/auth';
import { checkWebhookUrl, getAlertSettings, listAlerts, putAlertSettings, settingsOut } from '../services/alerts';

const settingsBody = z.object({
  email: z.email().max(255).nullish(),
  email_enabled: z.boolean().optional(),
  webhook_url: z.string().max(2000).nullish(),
  webhook_enabled: z.boolean().optional(),
  rotate_webhook_secret: z.boolean().optional(),
});

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  watch_id: z.uuid().optional(),
});

const doc = routeDocs('alerts');

export const alertRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get('/settings', doc({ summary: 'Alert channels (email, signed webhook)', status: 200 }), async (c) => {
    return c.json(await settingsOut(c.env, await getAlertSettings(c.var.db, c.var.auth.user.id)), 200);
  })
  .put('/settings', doc({ summary: 'Change alert channels', status: 200 }), validate('json', settingsBody), async (c) => {
    const body = c.req.valid('json');
    if (body.webhook_url) {
      const check = checkWebhookUrl(body.webhook_url, config(c.env).allowLocalStores);
      if (!check.ok) throw invalid(['body', 'webhook_url'], 'value_error', check.msg, body.webhook_url);
    }
    const r = await putAlertSettings(c.var.db, c.env, c.var.auth.user.id, { ...body, webhook_url: body.webhook_url === '' ? null : body.webhook_url });
    if (r.kind === 'email_missing') throw badRequest('Add an email address to turn on email alerts');
    if (r.kind === 'webhook_missing') throw badRequest('Add a webhook URL to turn on webhook alerts');
    // The raw secret is in this answer only, like a new API key.
    return c.json({ ...(await settingsOut(c.env, r.row)), webhook_secret: r.secret }, 200);
  })
  .get('/', doc({ summary: 'Recent price and stock alerts', status: 200 }), validate('query', listQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listAlerts(c.var.db, c.var.auth.user.id, q.limit, q.watch_id), 200);
  });
