import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { aiCallUsage } from '../db/schema';
import type { User } from '../env';
import { admitDailySql, DailyQuotaExceeded } from '../lib/daily-quota';
import { isoZ } from '../lib/time';
import { BodyTooLarge, describeBytes, readBoundedText } from '../lib/bounded-body';
import { NotConfigured, UpstreamFailure } from '../shared/domain-errors';
import { AI_DAILY_REQUESTS, PLANS } from './plans';

/** The contract's gateway timeout (API.md §2.12). */
export const GATEWAY_TIMEOUT_MS = 60_000;
/** The largest gateway answer read; completions are capped at a few thousand tokens. */
export const GATEWAY_MAX_BYTES = 1024 * 1024;

export const SCORE_DIMENSIONS = ['product_quality', 'shipping_speed', 'communication', 'pricing', 'return_policy', 'catalog_breadth', 'platform_reputation'] as const;

type GatewayEnv = Pick<Env, 'LLM_GATEWAY_URL' | 'LLM_GATEWAY_KEY'>;

export interface GatewayAnswer {
  content: string;
  provider: string;
  cost_usd: number;
}

export interface GatewayRequest {
  userId: string;
  taskType: string;
  prompt: string;
  system: string;
  maxTokens: number;
  temperature: number;
}

const NOT_CONFIGURED = 'AI gateway not configured';
const UNREADABLE = 'AI gateway sent an unreadable response';
export const aiQuotaDetail = (plan: User['plan']) =>
  `Daily AI request limit reached (${AI_DAILY_REQUESTS[plan]} per day on the ${PLANS[plan].name} plan). It resets at 00:00 UTC.`;

/** Whether an AI gateway is configured (the dashboard leaves the AI panels out when not). */
export const aiAvailable = (env: GatewayEnv) => Boolean((env.LLM_GATEWAY_URL ?? '').trim());

/** The gateway's base URL; unset → 503, before anything is counted or called. */
function gatewayBase(env: GatewayEnv): string {
  const base = (env.LLM_GATEWAY_URL ?? '').trim().replace(/\/+$/, '');
  if (!base) throw new NotConfigured(NOT_CONFIGURED);
  return base;
}

/**
 * Admits one gateway call against the user's daily AI allowance, inside `then`: the
 * statement the caller makes anyway, so metering costs no extra round trip. Over the
 * allowance → 429 with Retry-After. Every admitted call counts, failed ones too.
 */
async function admitAiCall<T extends Record<string, unknown>>(db: Db, user: User, then: SQL): Promise<T> {
  const { rows } = await db.execute<T & { admitted: boolean }>(sql`
    WITH admitted AS (${admitDailySql(aiCallUsage, user.id, 1, AI_DAILY_REQUESTS[user.plan])})
    SELECT EXISTS (SELECT 1 FROM admitted) AS admitted, ${then}`);
  const row = rows[0] as T & { admitted: boolean };
  if (!row.admitted) throw new DailyQuotaExceeded(aiQuotaDetail(user.plan));
  return row;
}

/**
 * One call to the LLM gateway. Unset → NotConfigured; a gateway error, an unreadable
 * answer or no answer within `timeoutMs` → UpstreamFailure, so a flaky model never
 * turns into a 500.
 */
export async function generate(env: GatewayEnv, req: GatewayRequest, timeoutMs = GATEWAY_TIMEOUT_MS): Promise<GatewayAnswer> {
  const base = gatewayBase(env);
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Service-Key': env.LLM_GATEWAY_KEY ?? '' },
      body: JSON.stringify({
        user_id: req.userId,
        service: 'sourcepilot',
        task_type: req.taskType,
        prompt: req.prompt,
        system: req.system,
        max_tokens: req.maxTokens,
        temperature: req.temperature,
        json_mode: true,
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      throw new UpstreamFailure(`AI gateway did not answer within ${timeoutMs >= 1000 ? Math.round(timeoutMs / 1000) : timeoutMs / 1000} s`, true);
    }
    throw new UpstreamFailure('AI gateway could not be reached', true);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new UpstreamFailure(`AI gateway error (HTTP ${res.status})`, res.status === 429 || res.status >= 500);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(await readBoundedText(res, GATEWAY_MAX_BYTES)) as Record<string, unknown>;
  } catch (err) {
    throw new UpstreamFailure(err instanceof BodyTooLarge ? `AI gateway sent a response larger than ${describeBytes(GATEWAY_MAX_BYTES)}` : UNREADABLE, false);
  }
  if (typeof body?.content !== 'string') throw new UpstreamFailure(UNREADABLE, false);
  const cost = Number(body.cost_usd);
  return { content: body.content, provider: typeof body.provider === 'string' ? body.provider : 'unknown', cost_usd: Number.isFinite(cost) ? cost : 0 };
}

/**
 * JSON from a model's text: plain, inside a ``` fence, or the outermost {...} / [...]
 * within prose. Undefined when none of these parse.
 */
export function parseModelJson(content: string): unknown {
  const attempts = [content.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(content);
  if (fenced) attempts.push(fenced[1].trim());
  for (const [open, close] of [['{', '}'], ['[', ']']]) {
    const start = content.indexOf(open);
    const end = content.lastIndexOf(close);
    if (start >= 0 && end > start) attempts.push(content.slice(start, end + 1));
  }
  for (const text of attempts) {
    try {
      return JSON.parse(text);
    } catch {
      // Try the next reading.
    }
  }
  return undefined;
}

const PRIORITIES = new Set(['high', 'medium', 'low']);

/** The model's suggestions as the contract's items; anything unparseable is passed on as the raw text. */
export function toSuggestions(content: string): unknown[] {
  const parsed = parseModelJson(content);
  if (parsed === undefined) return [content];
  const list = Array.isArray(parsed) ? parsed : ((parsed as Record<string, unknown>)?.suggestions ?? (parsed as Record<string, unknown>)?.items);
  if (!Array.isArray(list)) return [content];
  return list.map((item) => {
    if (!item || typeof item !== 'object') return String(item);
    const o = item as Record<string, unknown>;
    const priority = String(o.priority ?? '').toLowerCase();
    return {
      title: String(o.title ?? o.name ?? ''),
      description: String(o.description ?? o.details ?? ''),
      priority: PRIORITIES.has(priority) ? priority : 'medium',
    };
  });
}

/** The seven 0–100 dimensions and the overall score; the model's `recommendation` is dropped. */
export function toScoring(content: string): { scoring: Record<string, number>; overall_score: number } {
  const parsed = parseModelJson(content);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { scoring: {}, overall_score: 0 };
  const root = parsed as Record<string, unknown>;
  const dims = (root.scoring ?? root.scores ?? root) as Record<string, unknown>;
  const scoring: Record<string, number> = {};
  for (const d of SCORE_DIMENSIONS) {
    const raw = dims?.[d];
    const v = typeof raw === 'object' && raw ? Number((raw as Record<string, unknown>).score) : Number(raw);
    if (Number.isFinite(v)) scoring[d] = Math.min(100, Math.max(0, v));
  }
  const overall = Number(root.overall_score ?? dims?.overall_score);
  const values = Object.values(scoring);
  const fallback = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  return { scoring, overall_score: Math.round((Number.isFinite(overall) ? Math.min(100, Math.max(0, overall)) : fallback) * 10) / 10 };
}

const SUGGESTIONS_SYSTEM =
  'You are a dropshipping sourcing advisor. Answer with JSON only: an array of 3 to 5 objects ' +
  '{"title": string, "description": string, "priority": "high" | "medium" | "low"}.';

export async function sourcingSuggestions(env: GatewayEnv, db: Db, user: User) {
  gatewayBase(env);
  const userId = user.id;
  // The merchant's latest imports give the model something concrete to reason about.
  const { recent } = await admitAiCall<{ recent: { source: string; title: string | null; status: string }[] }>(
    db,
    user,
    sql`COALESCE((SELECT json_agg(r) FROM (
      SELECT source, product_data->>'title' AS title, status FROM import_jobs
      WHERE user_id = ${userId} ORDER BY created_at DESC LIMIT 10) r), '[]'::json) AS recent`,
  );
  const history = recent.length
    ? recent.map((r) => `- ${r.title ?? '(untitled)'} from ${r.source} (${r.status})`).join('\n')
    : '- no imports yet';
  const answer = await generate(env, {
    userId,
    taskType: 'sourcing_suggestions',
    system: SUGGESTIONS_SYSTEM,
    prompt: `Suggest what this merchant should source next and how to source it well (suppliers: AliExpress, CJ Dropshipping, Spocket).\nRecent imports:\n${history}`,
    maxTokens: 1000,
    temperature: 0.7,
  });
  return { suggestions: toSuggestions(answer.content), generated_at: isoZ(new Date())!, provider: answer.provider, cost_usd: answer.cost_usd };
}

const SCORING_SYSTEM =
  'You rate dropshipping suppliers. Answer with JSON only: {"scoring": {' +
  SCORE_DIMENSIONS.map((d) => `"${d}": 0-100`).join(', ') +
  '}, "overall_score": 0-100, "recommendation": string}.';

export async function scoreSupplier(env: GatewayEnv, db: Db, user: User, supplierUrl: string) {
  gatewayBase(env);
  await admitAiCall(db, user, sql`true AS ok`);
  const answer = await generate(env, {
    userId: user.id,
    taskType: 'supplier_scoring',
    system: SCORING_SYSTEM,
    prompt: `Score this supplier for a dropshipping merchant: ${supplierUrl}`,
    maxTokens: 1500,
    temperature: 0.5,
  });
  return { ...toScoring(answer.content), supplier_url: supplierUrl, generated_at: isoZ(new Date())!, provider: answer.provider, cost_usd: answer.cost_usd };
}
