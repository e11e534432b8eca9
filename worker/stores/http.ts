import { BodyTooLarge, describeBytes, readBoundedText } from '../lib/bounded-body';
import { StoreError } from './types';

/** 429, 408 and 5xx are worth another try later; every other failure is the merchant's to fix. */
export const retryableStatus = (status: number) => status === 429 || status === 408 || status >= 500;

/**
 * fetch with the store timeout. A timeout or a network failure becomes a retryable
 * StoreError; the response (any status) is the caller's to read.
 */
export async function storeFetch(label: string, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (err) {
    const name = (err as Error | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new StoreError(`${label} did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`, true);
    }
    throw new StoreError(`Could not reach ${label}: ${(err as Error | undefined)?.message ?? String(err)}`, true);
  }
}

/**
 * The body as JSON, or null when it is not JSON (an HTML error page, an empty body). Read
 * at most `limitBytes`: a bigger answer is the store's fault and not worth a retry.
 */
export async function readJson(label: string, res: Response, limitBytes: number): Promise<unknown> {
  let text: string;
  try {
    text = await readBoundedText(res, limitBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new StoreError(`${label} sent a response larger than ${describeBytes(err.limitBytes)}`, false, res.status);
    throw err;
  }
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Splits a list into runs of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Money as the stores want it: a decimal string in the currency's minor units (worker/shared/pricing.ts). */
export { money } from '../shared/pricing';

/** A redirect means the URL is not the store's API (a custom domain, a login page). */
export function redirectError(label: string, res: Response): StoreError | null {
  if (res.status < 300 || res.status >= 400) return null;
  const to = res.headers.get('Location');
  return new StoreError(`${label} redirected the request${to ? ` to ${to}` : ''}; check the store URL`, false, res.status);
}
