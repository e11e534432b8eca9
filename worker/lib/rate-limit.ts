import { ApiError } from './errors';

/**
 * Counts one request against a Cloudflare rate-limiting binding (periods are 10 s or
 * 60 s); over the limit answers 429 with Retry-After set to the binding's period.
 */
export async function rateLimit(limiter: RateLimit | undefined, key: string, periodSeconds = 60): Promise<void> {
  if (!limiter) return;
  const { success } = await limiter.limit({ key });
  if (!success) throw new ApiError(429, 'Too many requests. Please try again later.', { 'Retry-After': String(periodSeconds) });
}

/** The client address Cloudflare reports; local requests have none. */
export const clientIp = (req: { header(name: string): string | undefined }) => req.header('CF-Connecting-IP') ?? 'local';
