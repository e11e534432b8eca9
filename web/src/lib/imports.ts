import type { ImportSource } from '../api/imports';
import { formatElapsed, formatNumber } from './format';
import { priceFor, pricingRuleSchema, type PricingRule } from '../../../worker/shared/pricing';
import { detectProductUrl } from '../../../worker/shared/detect';
import { SOURCE_LABEL, SUPPLIER_SOURCES } from '../../../worker/shared/sources';
import { InvalidInput } from '../../../worker/shared/domain-errors';

/** The sources a merchant can import from by URL (`manual` needs a product body, not a link). */
export type UrlSource = Exclude<ImportSource, 'manual'>;
export const URL_SOURCES: UrlSource[] = [...SUPPLIER_SOURCES];

export const SOURCE_LABELS: Record<ImportSource, string> = SOURCE_LABEL;

/** Most bulk URLs per request (API.md §2.3). */
export const BULK_MAX = 50;
/** The database column holds 2,000 characters per URL. */
export const URL_MAX = 2000;

export type Detection = { ok: true; source: UrlSource; productId: string } | { ok: false; reason: string };

/**
 * What the worker will read from a product URL, using the worker's own parser so the
 * dashboard and the pipeline never disagree about which links are importable.
 */
export function detectUrl(raw: string): Detection {
  try {
    const { source, productId } = detectProductUrl(raw);
    return { ok: true, source, productId };
  } catch (err) {
    if (err instanceof InvalidInput) return { ok: false, reason: err.message };
    throw err;
  }
}

export const startsLikeUrl = (raw: string) => /^https?:\/\//i.test(raw.trim());

export interface BulkLine {
  /** 1-based line number in the textarea. */
  line: number;
  url: string;
  detected: Detection;
  problem: string | null;
}

export interface BulkParse {
  lines: BulkLine[];
  /** Lines that can be sent. */
  valid: string[];
  invalid: BulkLine[];
  /** More URLs than one bulk import accepts. */
  over: number;
  /** The source most valid-looking lines belong to, for auto-detection. */
  majority: UrlSource | null;
}

/**
 * Reads the bulk textarea: one URL per non-blank line. Flags what the API or the
 * pipeline would refuse before anything is sent: not a link, an unsupported or
 * id-less URL, a URL of another supplier than the import's source, duplicates, and
 * lines past the 50-URL limit.
 */
export function parseBulkUrls(text: string, source: UrlSource | null): BulkParse {
  const seen = new Map<string, number>();
  const lines: BulkLine[] = [];
  const tally = new Map<UrlSource, number>();
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const url = rawLine.trim();
    if (!url) return;
    const detected = detectUrl(url);
    if (detected.ok) tally.set(detected.source, (tally.get(detected.source) ?? 0) + 1);
    lines.push({ line: i + 1, url, detected, problem: null });
  });

  const majority = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const target = source ?? majority;
  let counted = 0;
  for (const l of lines) {
    const first = seen.get(l.url);
    if (l.url.length > URL_MAX) l.problem = `Longer than ${formatNumber(URL_MAX)} characters`;
    else if (!l.detected.ok) l.problem = l.detected.reason;
    else if (target && l.detected.source !== target)
      l.problem = `A ${SOURCE_LABELS[l.detected.source]} link; this import is for ${SOURCE_LABELS[target]}`;
    else if (first !== undefined) l.problem = `Duplicate of line ${first}`;
    if (first === undefined) seen.set(l.url, l.line);
    if (!l.problem && ++counted > BULK_MAX) l.problem = `Over the ${BULK_MAX}-link limit`;
  }
  const invalid = lines.filter((l) => l.problem);
  const valid = lines.filter((l) => !l.problem).map((l) => l.url);
  return { lines, valid: valid.slice(0, BULK_MAX), invalid, over: Math.max(0, counted - BULK_MAX), majority };
}

/** Text of the textarea without the flagged lines. */
export function withoutLines(text: string, lineNumbers: Set<number>): string {
  return text
    .split(/\r?\n/)
    .filter((_, i) => !lineNumbers.has(i + 1))
    .join('\n');
}

// ---- pricing --------------------------------------------------------------

/** The pricing part of the import forms, as typed (strings until submitted). */
export interface PricingForm {
  markup_percent: string;
  markup_fixed: string;
  price_multiplier: string;
  compare_at_percent: string;
  /** "" for no rounding, else the ending as a decimal string ("0.99"). */
  round_to: string;
  tags: string;
  publish: boolean;
}

export const DEFAULT_PRICING: PricingForm = {
  markup_percent: '50',
  markup_fixed: '',
  price_multiplier: '',
  compare_at_percent: '',
  round_to: '0.99',
  tags: '',
  publish: false,
};

const NUMERIC_FIELDS = ['markup_percent', 'markup_fixed', 'price_multiplier', 'compare_at_percent', 'round_to'] as const;
type NumericField = (typeof NUMERIC_FIELDS)[number];

export type PricingErrors = Partial<Record<NumericField | 'tags', string>>;

export function splitTags(raw: string): string[] {
  return [...new Set(raw.split(',').map((t) => t.trim()).filter(Boolean))];
}

function boundMessage(issue: { code: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean }): string {
  if (issue.code === 'too_small') return `Must be at least ${issue.minimum}`;
  if (issue.code === 'too_big') return issue.inclusive === false ? `Must be less than ${issue.maximum}` : `Must be at most ${issue.maximum}`;
  return 'Invalid value';
}

/**
 * The form as the worker's pricing rule, checked with the worker's own schema, so a
 * rule the dashboard accepts is one the API accepts.
 */
export function pricingRuleFrom(form: PricingForm): { rule: PricingRule; errors: PricingErrors } {
  const errors: PricingErrors = {};
  const draft: Record<string, unknown> = { publish: form.publish };
  for (const key of NUMERIC_FIELDS) {
    const raw = form[key].trim();
    if (!raw) continue;
    const n = Number(raw.replace(',', '.'));
    if (!Number.isFinite(n)) errors[key] = 'Enter a number';
    else draft[key] = n;
  }
  const tags = splitTags(form.tags);
  if (tags.length) draft.tags = tags;

  const parsed = pricingRuleSchema.safeParse(draft);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as NumericField | 'tags';
      if (field === 'tags') errors.tags = tags.length > 250 ? 'At most 250 tags' : 'Each tag can have at most 255 characters';
      else errors[field] ??= boundMessage(issue as never);
    }
    return { rule: {}, errors };
  }
  return { rule: parsed.data, errors };
}

export interface PriceExample {
  cost: number;
  price: number;
  compareAt: number | null;
}

/** What the rule makes of one supplier cost, with the worker's own formula. */
export function priceExample(cost: number, rule: PricingRule, currency = 'USD'): PriceExample {
  const { price, compareAt } = priceFor(cost, rule, currency);
  return { cost, price, compareAt };
}

/** Duration of a finished job; "—" while it has not finished (or never started). */
export function jobDuration(j: { started_at: string | null; finished_at: string | null }): string {
  if (!j.started_at || !j.finished_at) return '—';
  return formatElapsed(new Date(j.finished_at).getTime() - new Date(j.started_at).getTime());
}
