import { BodyTooLarge, describeBytes, readBoundedText } from '../lib/bounded-body';
import { SupplierError } from './types';

/**
 * One HTTP call to a supplier API, answered as parsed JSON. Timeouts, refused
 * connections, 429 and 5xx become retryable SupplierErrors; a body that is not JSON
 * is the supplier's fault too. Other statuses are returned for the adapter to read,
 * since both suppliers put their error codes in the body. At most `limitBytes` of the
 * body are read.
 */
export async function supplierFetch(
  label: string,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  limitBytes: number,
): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError');
    if (timedOut) throw new SupplierError(`${label} did not answer within ${Math.round(timeoutMs / 100) / 10} s`, true, undefined, 'timeout');
    throw new SupplierError(`${label} could not be reached`, true, undefined, 'unavailable');
  }
  if (res.status === 429) {
    await res.body?.cancel();
    throw new SupplierError(`${label} is rate-limiting requests; try again in a moment`, true, 429, 'rate_limited');
  }
  if (res.status >= 500) {
    await res.body?.cancel();
    throw new SupplierError(`${label} is unavailable (HTTP ${res.status})`, true, res.status, 'unavailable');
  }
  let text: string;
  try {
    text = await readBoundedText(res, limitBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new SupplierError(`${label} sent a response larger than ${describeBytes(limitBytes)}`, false, res.status, 'unavailable');
    throw err;
  }
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new SupplierError(`${label} sent an unreadable response (HTTP ${res.status})`, res.status >= 500, res.status, 'unavailable');
  }
}

/** A number from a supplier field that may be a number, "12.34", "1,234" or "2.09 -- 7.46" (lowest wins). */
export function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const found = value
    .split(/--|~/)
    .map((p) => p.replace(/[^0-9.]/g, ''))
    .filter((p) => p !== '' && p !== '.')
    .map(Number)
    .filter((n) => Number.isFinite(n));
  return found.length ? Math.min(...found) : null;
}

/** Supplier image URLs are often protocol-relative (`//ae01.alicdn.com/…`). */
export const absoluteUrl = (u: string) => (u.startsWith('//') ? `https:${u}` : u);
