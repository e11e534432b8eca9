import type { StartedFake } from './index';
import { parseJson, startJsonServer, type FakeRequest, type FakeResponse } from './server';

/**
 * Fake LLM gateway: POST /api/v1/generate with X-Service-Key, body
 * {user_id, service, task_type, prompt, system, max_tokens, temperature, json_mode}.
 * Answers {content, provider, model, input_tokens, output_tokens, cost_usd, cached, latency_ms}.
 *
 * Scripted per user_id, so parallel tests do not collide:
 *   POST /__control/script   {user_id, replies: [{status?, content?, raw?, delay_ms?}]}   consumed in order
 *   GET  /__control/requests?user_id=…  → {count, requests: [body]}
 * Without a script, a task gets a well-formed JSON answer.
 */

export const LLM_TEST_KEY = 'test-llm-gateway-key';

interface Reply {
  status?: number;
  content?: string;
  raw?: string;
  delay_ms?: number;
}

const scripts = new Map<string, Reply[]>();
const received = new Map<string, Record<string, unknown>[]>();

const DEFAULT_CONTENT: Record<string, string> = {
  sourcing_suggestions: JSON.stringify([
    { title: 'Add posture correctors', description: 'Steady demand and light parcels from CJ US warehouses.', priority: 'high' },
    { title: 'Bundle phone accessories', description: 'Pair cases with screen protectors to lift order value.', priority: 'medium' },
    { title: 'Test seasonal decor', description: 'Import a few items early and watch price moves.', priority: 'low' },
  ]),
  supplier_scoring: JSON.stringify({
    scoring: { product_quality: 82, shipping_speed: 64, communication: 71, pricing: 88, return_policy: 55, catalog_breadth: 90, platform_reputation: 77 },
    overall_score: 75.3,
    recommendation: 'Good for testing products; order samples first.',
  }),
};

function generate(req: FakeRequest): FakeResponse {
  if (req.method !== 'POST') return { status: 405, body: { detail: 'Method Not Allowed' } };
  if (req.headers['x-service-key'] !== LLM_TEST_KEY) return { status: 401, body: { detail: 'Invalid service key' } };
  const body = parseJson(req.body);
  const missing = ['user_id', 'service', 'task_type', 'prompt', 'system', 'max_tokens', 'temperature', 'json_mode'].filter((k) => body[k] === undefined);
  if (missing.length || body.service !== 'sourcepilot' || body.json_mode !== true) {
    return { status: 422, body: { detail: `bad request: missing ${missing.join(', ') || 'nothing'}, service=${String(body.service)}` } };
  }
  const user = String(body.user_id);
  received.set(user, [...(received.get(user) ?? []), body]);
  const reply = scripts.get(user)?.shift() ?? {};
  if (reply.raw !== undefined) return { status: reply.status ?? 200, raw: reply.raw, delayMs: reply.delay_ms };
  if (reply.status && reply.status >= 400) return { status: reply.status, body: { detail: 'upstream model failed' }, delayMs: reply.delay_ms };
  return {
    delayMs: reply.delay_ms,
    body: {
      content: reply.content ?? DEFAULT_CONTENT[String(body.task_type)] ?? '{}',
      provider: 'fake-provider',
      model: 'fake-model-1',
      input_tokens: 120,
      output_tokens: 80,
      cost_usd: 0.0012,
      cached: false,
      latency_ms: 5,
    },
  };
}

function control(req: FakeRequest): FakeResponse {
  const body = parseJson(req.body);
  if (req.path === '/__control/script') {
    scripts.set(String(body.user_id), Array.isArray(body.replies) ? (body.replies as Reply[]) : []);
    return { body: { ok: true } };
  }
  if (req.path === '/__control/requests') {
    const list = received.get(req.query.get('user_id') ?? '') ?? [];
    return { body: { count: list.length, requests: list } };
  }
  return { status: 404, body: { error: 'unknown control path' } };
}

export async function startLlmGatewayFake(): Promise<StartedFake> {
  const server = await startJsonServer((req) => {
    if (req.path.startsWith('/__control/')) return control(req);
    if (req.path === '/api/v1/generate') return generate(req);
    return { status: 404, body: { detail: 'Not Found' } };
  });
  return { bindings: { LLM_GATEWAY_URL: server.origin, LLM_GATEWAY_KEY: LLM_TEST_KEY }, stop: server.stop };
}
