import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { alertWebhookSecret, encryptSecret } from '../lib/secrets';
import { deliverAlerts, newWebhookSecret, type OutgoingAlert } from '../services/alerts';

const FAKE = new URL(env.EMAIL_API_URL).origin;

async function fake<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${FAKE}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

const alert: OutgoingAlert = {
  id: crypto.randomUUID(),
  watchId: crypto.randomUUID(),
  kind: 'price_change',
  productUrl: 'https://www.aliexpress.com/item/1005001234567890.html',
  source: 'aliexpress',
  sourceProductId: '1005001234567890',
  oldPrice: 10,
  newPrice: 8,
  changePercent: -20,
  currency: 'USD',
  stock: null,
  previousStock: null,
  thresholdPercent: 5,
  observedAt: new Date(),
};

describe('alert webhooks do not follow redirects', () => {
  it.each([301, 302, 307, 308])('records a %i as a failed delivery and never posts to where it points', async (status) => {
    const secret = newWebhookSecret();
    const userId = crypto.randomUUID();
    const first = await fake<{ token: string; url: string }>('hooks', { secret });
    const elsewhere = await fake<{ token: string; url: string }>('hooks', { secret });
    await fake(`hooks/${first.token}/fail`, { status, times: 3, location: elsewhere.url });
    const result = await deliverAlerts(
      env,
      { userId, email: null, emailEnabled: false, emailVerified: false, webhookUrl: first.url, webhookSecret: await encryptSecret(env.ENCRYPTION_KEY, secret, alertWebhookSecret(userId)), webhookEnabled: true },
      [alert],
    );
    expect(result.webhook).toMatchObject({ status: 'failed', attempts: 1, http_status: status, error: `HTTP ${status}` });
    expect((await fake<{ attempts: number }>(`hooks/${first.token}`)).attempts).toBe(1);
    expect((await fake<{ attempts: number }>(`hooks/${elsewhere.token}`)).attempts).toBe(0);
  });
});
