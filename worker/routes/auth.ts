import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';
import { tokenPair } from '../lib/jwt';
import { routeDocs } from '../lib/openapi';
import { clientIp, rateLimit } from '../lib/rate-limit';
import { validate } from '../lib/validate';
import { requireJwt } from '../middleware/auth';
import { requireServiceKey } from '../middleware/service-key';
import { userFromToken } from '../services/auth';
import { TIERS } from '../services/plans';
import { authenticate, normaliseEmail, provisionUser, registerUser } from '../services/users';
import { aiAvailable } from '../services/ai';
import { meSchema, tokenPairSchema, userOut } from './serialize';

const email = z.email().max(255).transform(normaliseEmail);

const registerBody = z.object({ email, password: z.string().min(8).max(1024) });
const loginBody = z.object({ email, password: z.string().max(1024) });
const refreshBody = z.object({ refresh_token: z.string() });
const forgotQuery = z.object({ email: z.string() });
const provisionBody = z.object({
  email,
  password: z.string().max(1024).nullish(),
  plan: z.enum(TIERS).default('free'),
  external_platform_id: z.string().min(1).max(255),
  external_store_id: z.string().max(255).nullish(),
});

const doc = routeDocs('auth');

export const authRoutes = new Hono<AppEnv>()
  .post(
    '/register',
    doc({
      summary: 'Register',
      status: 201,
      description: 'A token pair',
      body: tokenPairSchema,
      errors: { 409: 'A user with this email already exists', 429: 'Too many sign-ups from this address or for this email' },
    }),
    validate('json', registerBody),
    async (c) => {
      const body = c.req.valid('json');
      await rateLimit(c.env.AUTH_IP_LIMITER, `register:${clientIp(c.req)}`);
      await rateLimit(c.env.AUTH_EMAIL_LIMITER, `register:${body.email}`);
      const user = await registerUser(c.var.db, body.email, body.password);
      if (!user) throw new ApiError(409, 'A user with this email already exists');
      return c.json(await tokenPair(c.env.JWT_SECRET_KEY, user.id), 201);
    },
  )
  .post(
    '/login',
    doc({
      summary: 'Log in',
      status: 200,
      description: 'A token pair',
      body: tokenPairSchema,
      errors: { 401: 'Invalid email or password', 429: 'Too many attempts from this address or for this email' },
    }),
    validate('json', loginBody),
    async (c) => {
      const body = c.req.valid('json');
      await rateLimit(c.env.AUTH_IP_LIMITER, `login:${clientIp(c.req)}`);
      await rateLimit(c.env.AUTH_EMAIL_LIMITER, `login:${body.email}`);
      const user = await authenticate(c.var.db, body.email, body.password);
      if (!user) throw new ApiError(401, 'Invalid email or password');
      return c.json(await tokenPair(c.env.JWT_SECRET_KEY, user.id), 200);
    },
  )
  .post(
    '/refresh',
    doc({
      summary: 'Refresh the token pair',
      status: 200,
      description: 'A new token pair',
      body: tokenPairSchema,
      errors: { 401: 'Invalid or expired refresh token, or the user is gone' },
    }),
    validate('json', refreshBody),
    async (c) => {
      const found = await userFromToken(c.var.db, c.env.JWT_SECRET_KEY, c.req.valid('json').refresh_token, 'refresh');
      if (!found.ok) throw new ApiError(401, found.reason === 'no_user' ? 'User not found' : 'Invalid or expired refresh token');
      return c.json(await tokenPair(c.env.JWT_SECRET_KEY, found.user.id), 200);
    },
  )
  .get('/me', doc({ summary: 'The signed-in user', status: 200, body: meSchema }), requireJwt, async (c) => {
    const user = await c.var.auth.loaded();
    return c.json({ ...userOut(user), import_review: user.importReview, features: { ai: aiAvailable(c.env) } }, 200);
  })
  .post('/forgot-password', doc({ summary: 'Ask for a password reset email', status: 200 }), validate('query', forgotQuery), (c) =>
    c.json({ message: 'If an account exists, a reset email has been sent.' }, 200),
  )
  .post(
    '/provision',
    doc({ summary: 'Provision a linked account (Dropshipping Platform only)', status: 201, description: '`{user_id, api_key}`' }),
    requireServiceKey('Provisioning requires the platform service key'),
    validate('json', provisionBody),
    async (c) => c.json(await provisionUser(c.var.db, c.req.valid('json')), 201),
  );
