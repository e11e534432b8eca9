import { Hono } from 'hono';
import { z } from 'zod';
import { config, type AppEnv } from '../env';
import { badRequest, invalid } from '../lib/errors';
import { validate } from '../lib/validate';
import { routeDocs } from '../lib/openapi';
import { requireUser } from '../middleware/auth';
import {
  checkWebhookUrl,
  confirmAlertEmail,
  getAlertSettings,
  listAlerts,
  NOTHING_TO_CONFIRM,
  putAlertSettings,
  reissueEmailConfirmation,
  RESEND_TOO_SOON,
  sendConfirmationEmail,
  settingsOut,
} from '../services/alerts';
import { dashboardOrigin } from '../services/shopify-oauth';
import { QuotaExceeded } from '../shared/domain-errors';

const settingsBody = z.object({
  email: z.email().max(255).nullish(),
  email_enabled: z.boolean().optional(),
  webhook_url: z.string().max(2000).nullish(),
  webhook_enabled: z.boolean().optional(),
  rotate_webhook_secret: z.boolean().optional(),
});

const confirmBody = z.object({ token: z.string().min(20).max(200) });

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  watch_id: z.uuid().optional(),
});

const doc = routeDocs('alerts');

export const EMAIL_CONFIRM_INVALID = 'This confirmation link is invalid, was already used, or has expired; send a new one from Price Watch › Alerts';

/**
 * Public: the dashboard's /confirm-alert-email page posts the token from the emailed
 * link (a POST, so link scanners that fetch the URL confirm nothing).
 */
export const alertEmailConfirmRoutes = new Hono<AppEnv>().post(
  '/',
  doc({ summary: 'Confirm an alert email address (public; the token from the emailed link)', status: 200, description: '`{email, email_verified: true}`', errors: { 400: EMAIL_CONFIRM_INVALID } }),
  validate('json', confirmBody),
  async (c) => {
    const r = await confirmAlertEmail(c.var.db, c.req.valid('json').token);
    if (!r) throw badRequest(EMAIL_CONFIRM_INVALID);
    return c.json({ email: r.email, email_verified: true }, 200);
  },
);

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
    const confirmation = r.confirmToken && r.row.email ? await sendConfirmationEmail(c.env, dashboardOrigin(c.env), r.row.email, r.confirmToken) : null;
    // The raw secret is in this answer only, like a new API key.
    return c.json({ ...(await settingsOut(c.env, r.row)), webhook_secret: r.secret, email_confirmation: confirmation }, 200);
  })
  .post('/settings/confirm-email', doc({ summary: 'Send the alert address a new confirmation link', status: 200, errors: { 400: NOTHING_TO_CONFIRM, 429: RESEND_TOO_SOON } }), async (c) => {
    const r = await reissueEmailConfirmation(c.var.db, c.var.auth.user.id);
    if (r.kind === 'nothing') throw badRequest(NOTHING_TO_CONFIRM);
    if (r.kind === 'too_soon') throw new QuotaExceeded(RESEND_TOO_SOON, 60);
    const confirmation = await sendConfirmationEmail(c.env, dashboardOrigin(c.env), r.email, r.token);
    return c.json({ ...(await settingsOut(c.env, await getAlertSettings(c.var.db, c.var.auth.user.id))), email_confirmation: confirmation }, 200);
  })
  .get('/', doc({ summary: 'Recent price and stock alerts', status: 200 }), validate('query', listQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listAlerts(c.var.db, c.var.auth.user.id, q.limit, q.watch_id), 200);
  });
