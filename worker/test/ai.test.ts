import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import app from '../app';
import { eq } from 'drizzle-orm';
import { aiCallUsage } from '../db/schema';
import { httpErrorFor } from '../lib/errors';
import { secondsToUtcMidnight } from '../lib/time';
import { aiQuotaDetail, generate, parseModelJson, toScoring, toSuggestions } from '../services/ai';
import { AI_DAILY_REQUESTS } from '../services/plans';
import { UpstreamFailure } from '../shared/domain-errors';
import { answer, api, rawCall, registerUser, setPlan, startOfRateWindow, userWithKey, withDb } from './helpers';
import { fakeControl } from './supplier-helpers';

const script = (userId: string, replies: Record<string, unknown>[]) => fakeControl(env.LLM_GATEWAY_URL, 'script', { user_id: userId, replies });
const received = async (userId: string) => (await fakeControl(env.LLM_GATEWAY_URL, `requests?user_id=${userId}`)).requests as Record<string, unknown>[];

describe('GET /ai/suggestions', () => {
  it('asks the gateway for sourcing suggestions and returns them with provider and cost', async () => {
    const user = await registerUser();
    const r = await answer(api({ token: user.token }).ai.suggestions.$get());
    expect(r.status).toBe(200);
    expect(r.roundTrips).toBeLessThanOrEqual(2);
    expect(Object.keys(r.json).sort()).toEqual(['cost_usd', 'generated_at', 'provider', 'suggestions']);
    expect(r.json.provider).toBe('fake-provider');
    expect(r.json.cost_usd).toBe(0.0012);
    expect(r.json.generated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(r.json.suggestions).toHaveLength(3);
    expect(r.json.suggestions[0]).toEqual({ title: 'Add posture correctors', description: expect.any(String), priority: 'high' });
    const [sent] = await received(user.id);
    expect(sent).toMatchObject({ user_id: user.id, service: 'sourcepilot', task_type: 'sourcing_suggestions', max_tokens: 1000, temperature: 0.7, json_mode: true });
    expect(sent.prompt).toContain('no imports yet');
  });

  it('passes a non-JSON answer through as one raw suggestion, and reads fenced JSON', async () => {
    const user = await registerUser();
    await script(user.id, [{ content: 'Try selling phone cases.' }, { content: 'Here you go:\n```json\n{"suggestions":[{"title":"Pet beds","description":"Bulky but loved","priority":"URGENT"}]}\n```' }]);
    const raw = await answer(api({ token: user.token }).ai.suggestions.$get());
    expect(raw.json.suggestions).toEqual(['Try selling phone cases.']);
    const fenced = await answer(api({ token: user.token }).ai.suggestions.$get());
    expect(fenced.json.suggestions).toEqual([{ title: 'Pet beds', description: 'Bulky but loved', priority: 'medium' }]);
  });

  it('answers a gateway failure with 502 and a readable detail', async () => {
    const user = await registerUser();
    await script(user.id, [{ status: 500 }, { raw: '<html>oops</html>' }]);
    expect(await answer(api({ token: user.token }).ai.suggestions.$get())).toMatchObject({ status: 502, json: { detail: 'AI gateway error (HTTP 500)' } });
    expect(await answer(api({ token: user.token }).ai.suggestions.$get())).toMatchObject({ status: 502, json: { detail: 'AI gateway sent an unreadable response' } });
  });

  it('works with a read-scoped API key', async () => {
    const keyed = await userWithKey(['read']);
    expect((await answer(api({ apiKey: keyed.apiKey }).ai.suggestions.$get())).status).toBe(200);
    expect((await answer(api().ai.suggestions.$get())).status).toBe(401);
  });
});

describe('POST /ai/score-supplier', () => {
  it('returns the seven dimensions and the overall score, without the recommendation', async () => {
    const user = await registerUser();
    const r = await answer(api({ token: user.token }).ai['score-supplier'].$post({ json: { supplier_url: 'https://www.aliexpress.com/store/912345' } }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      scoring: { product_quality: 82, shipping_speed: 64, communication: 71, pricing: 88, return_policy: 55, catalog_breadth: 90, platform_reputation: 77 },
      overall_score: 75.3,
      supplier_url: 'https://www.aliexpress.com/store/912345',
      generated_at: expect.stringMatching(/Z$/),
      provider: 'fake-provider',
      cost_usd: 0.0012,
    });
    const [sent] = await received(user.id);
    expect(sent).toMatchObject({ task_type: 'supplier_scoring', max_tokens: 1500, temperature: 0.5, json_mode: true });
    expect(sent.prompt).toContain('https://www.aliexpress.com/store/912345');
  });

  it('answers scoring:{} and overall 0 when the model does not answer JSON', async () => {
    const user = await registerUser();
    await script(user.id, [{ content: 'I cannot rate that.' }]);
    const r = await answer(api({ token: user.token }).ai['score-supplier'].$post({ json: { supplier_url: 'x' } }));
    expect(r.json).toMatchObject({ scoring: {}, overall_score: 0 });
  });

  it('validates the body after authentication', async () => {
    expect((await rawCall('/ai/score-supplier', { body: {} })).status).toBe(401);
    const user = await registerUser();
    const r = await rawCall('/ai/score-supplier', { token: user.token, body: {} });
    expect(r.status).toBe(422);
    expect(r.json.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'supplier_url'] });
  });
});

describe('AI limits per user and plan', () => {
  const usage = async (userId: string) =>
    (await withDb((db) => db.select().from(aiCallUsage).where(eq(aiCallUsage.userId, userId))))[0]?.calls ?? 0;
  /** Records `calls` gateway calls for the user today, as earlier requests would have. */
  const spend = (userId: string, calls: number) =>
    withDb((db) => db.insert(aiCallUsage).values({ userId, day: new Date().toISOString().slice(0, 10), calls }));

  it('meters each gateway call and answers 429 past the plan’s daily allowance, without calling the gateway', async () => {
    for (const plan of ['free', 'pro', 'enterprise'] as const) {
      const user = await registerUser(`ai-${plan}`);
      await setPlan(user.id, plan);
      await spend(user.id, AI_DAILY_REQUESTS[plan] - 1);
      const last = await answer(api({ token: user.token }).ai.suggestions.$get());
      expect(last.status).toBe(200);
      expect(last.roundTrips).toBeLessThanOrEqual(2);
      expect(await usage(user.id)).toBe(AI_DAILY_REQUESTS[plan]);
      const over = await answer(api({ token: user.token }).ai['score-supplier'].$post({ json: { supplier_url: 'https://www.aliexpress.com/store/1' } }));
      expect(over.status).toBe(429);
      expect(over.json).toEqual({ detail: aiQuotaDetail(plan) });
      const retryAfter = Number(over.res.headers.get('Retry-After'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(secondsToUtcMidnight());
      expect((await answer(api({ token: user.token }).ai.suggestions.$get())).status).toBe(429);
      expect(await received(user.id)).toHaveLength(1);
      expect(await usage(user.id)).toBe(AI_DAILY_REQUESTS[plan]);
    }
    expect(AI_DAILY_REQUESTS.free).toBeLessThan(AI_DAILY_REQUESTS.pro);
    expect(AI_DAILY_REQUESTS.pro).toBeLessThan(AI_DAILY_REQUESTS.enterprise);
    expect(aiQuotaDetail('free')).toBe('Daily AI request limit reached (10 per day on the Free plan). It resets at 00:00 UTC.');
  });

  it('concurrent calls cannot pass the allowance together', async () => {
    const user = await registerUser('ai-race');
    await spend(user.id, AI_DAILY_REQUESTS.free - 3);
    const statuses = await Promise.all(Array.from({ length: 8 }, () => answer(api({ token: user.token }).ai.suggestions.$get()).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(await received(user.id)).toHaveLength(3);
  });

  it('limits /ai/* to 10 requests a minute per user, malformed ones included', async () => {
    await startOfRateWindow();
    const left = 60 - ((Date.now() / 1000) % 60);
    if (left < 20) await new Promise((r) => setTimeout(r, left * 1000 + 250));
    const user = await registerUser('ai-minute');
    await setPlan(user.id, 'enterprise');
    for (let i = 0; i < 10; i++) expect((await rawCall('/ai/score-supplier', { token: user.token, body: {} })).status).toBe(422);
    const over = await answer(api({ token: user.token }).ai.suggestions.$get());
    expect(over.status).toBe(429);
    expect(over.json).toEqual({ detail: 'Too many requests. Please try again later.' });
    expect(over.res.headers.get('Retry-After')).toBe('60');
    expect(await usage(user.id)).toBe(0);
  }, 60_000);
});

describe('AI gateway configuration and timeouts', () => {
  it('answers 503 when no gateway is configured', async () => {
    const user = await registerUser();
    for (const [path, init] of [
      ['/ai/suggestions', { method: 'GET' }],
      ['/ai/score-supplier', { method: 'POST', body: JSON.stringify({ supplier_url: 'https://x.example' }) }],
    ] as const) {
      const ctx = createExecutionContext();
      const req = new Request(`http://sourcepilot.test/api/v1${path}`, { ...init, headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' } });
      const res = await app.fetch(req, { ...env, LLM_GATEWAY_URL: '' }, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ detail: 'AI gateway not configured' });
    }
    expect(await received(user.id)).toHaveLength(0);
  });

  it('gives up on a slow gateway with a 502', async () => {
    const user = await registerUser();
    await script(user.id, [{ delay_ms: 1500 }]);
    const err = await generate(env, { userId: user.id, taskType: 'sourcing_suggestions', prompt: 'p', system: 's', maxTokens: 10, temperature: 0 }, 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect(err).toMatchObject({ retryable: true });
    expect(httpErrorFor(err as UpstreamFailure, () => 'body')).toMatchObject({ status: 502, detail: 'AI gateway did not answer within 0.2 s' });
  });

  it('parses model JSON defensively', () => {
    expect(parseModelJson('{"a":1}')).toEqual({ a: 1 });
    expect(parseModelJson('Sure! {"a":2} Hope that helps')).toEqual({ a: 2 });
    expect(parseModelJson('[1,2]')).toEqual([1, 2]);
    expect(parseModelJson('no json here')).toBeUndefined();
    expect(toSuggestions('{"items":[{"name":"A","details":"B","priority":"LOW"}]}')).toEqual([{ title: 'A', description: 'B', priority: 'low' }]);
    expect(toScoring('{"product_quality": 140, "pricing": {"score": 60}, "recommendation": "buy"}')).toEqual({ scoring: { product_quality: 100, pricing: 60 }, overall_score: 80 });
  });
});
