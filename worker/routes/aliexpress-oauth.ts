import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { routeDocs } from '../lib/openapi';
import { storableString } from '../lib/safe-text';
import { validate } from '../lib/validate';
import { requireUser } from '../middleware/auth';
import { completeAliExpressAuthorize, startAliExpressAuthorize } from '../services/aliexpress-oauth';
import { dashboardOrigin } from '../services/shopify-oauth';

/** Without a JSON body (no Content-Type) the validated value is `{}`. */
const authorizeBody = z.object({ name: storableString().trim().min(1).max(255).nullish() });

/** The Open Platform sends the merchant back here; the app's console must list this URL as its callback. */
const callbackUrl = (requestUrl: string) => `${new URL(requestUrl).origin}/api/v1/suppliers/accounts/aliexpress/callback`;

const doc = routeDocs('suppliers');

/** AliExpress seller authorization (API.md §8.4). Mounted before /suppliers/accounts, whose routes all need a user: the callback is public. */
export const aliexpressOauthRoutes = new Hono<AppEnv>()
  .post(
    '/authorize',
    doc({
      summary: 'Start linking an AliExpress account through SourcePilot’s app',
      status: 200,
      description: 'Optional body `{name}` (the account name, default "AliExpress"; an existing AliExpress account of that name is renewed). Answers `{authorize_url}`: send the merchant there.',
      errors: { 503: 'The AliExpress app is not configured on this server' },
    }),
    requireUser,
    validate('json', authorizeBody),
    async (c) => {
      const body = c.req.valid('json');
      const url = await startAliExpressAuthorize(c.var.db, c.env, c.var.auth.user.id, body.name ?? null, callbackUrl(c.req.url));
      return c.json({ authorize_url: url }, 200);
    },
  )
  .get(
    '/callback',
    doc({ summary: 'The Open Platform’s authorization redirect (public; bound to the user by a single-use state)', status: 302, description: 'Redirects to the dashboard’s Suppliers page with `connected=<account id>` or `error=<code>`' }),
    async (c) => {
      const result = await completeAliExpressAuthorize(c.var.db, c.env, new URL(c.req.url).searchParams);
      const to = new URL('/suppliers', dashboardOrigin(c.env));
      to.searchParams.set(result.ok ? 'connected' : 'error', result.ok ? result.accountId : result.error);
      return c.redirect(to.toString(), 302);
    },
  );
