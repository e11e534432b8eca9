import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { RowJson } from '../db/rows';
import type { alertSettings } from '../db/schema';
import { config } from '../env';
import { randomBytes, sha256Hex, toBase64Url, toHex } from '../lib/encoding';
import { alertWebhookSecret, decryptSecret, encryptSecret, maskSecret } from '../lib/secrets';
import { isLocalHost } from '../lib/store-url';
import { isoZ } from '../lib/time';
import { supplierLabel } from '../shared/sources';

/**
 * Price alert channels (alert_settings) and their delivery.
 *
 * Email goes through an HTTP email API in the Resend format: `POST EMAIL_API_URL` with
 * `Authorization: Bearer EMAIL_API_KEY` and `{from, to: [address], subject, html, text}`
 * (Resend, and Postmark/SendGrid/Mailgun through their Resend-compatible relays). Without
 * a URL or key, alerts are only recorded and shown in the dashboard.
 *
 * Webhooks are `POST <webhook_url>` with a JSON body signed by the user's secret:
 * `X-SourcePilot-Signature` = hex HMAC-SHA256 of `${X-SourcePilot-Timestamp}.${raw body}`,
 * the key being the secret string as shown (`whsec_…`). The timestamp is Unix seconds
 * and fresh on every attempt; `X-SourcePilot-Delivery` stays the same across retries so
 * receivers can drop duplicates.
 */

export interface AlertEnv {
  ENCRYPTION_KEY: string;
  EMAIL_API_URL?: string;
  EMAIL_API_KEY?: string;
  EMAIL_FROM?: string;
  ALLOW_LOCAL_STORES?: string;
}

export const emailConfigured = (env: AlertEnv) => Boolean(env.EMAIL_API_URL?.trim() && env.EMAIL_API_KEY?.trim());

/** A webhook target: https to a public host; http (or any local host) only for loopback when local targets are allowed. */
export function checkWebhookUrl(raw: string, allowLocal: boolean): { ok: true } | { ok: false; msg: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, msg: 'Webhook URL must be a full https:// address' };
  }
  if (url.username || url.password) return { ok: false, msg: 'Webhook URL must not contain a user name or password' };
  const host = url.hostname.toLowerCase();
  const loopback = host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (url.protocol === 'http:') {
    return allowLocal && loopback ? { ok: true } : { ok: false, msg: 'Webhook URL must use https://' };
  }
  if (url.protocol !== 'https:') return { ok: false, msg: 'Webhook URL must use https://' };
  if (isLocalHost(host) && !(allowLocal && loopback)) return { ok: false, msg: 'Webhook URL must be a public address; local and private hosts are not allowed' };
  return { ok: true };
}

export const newWebhookSecret = () => `whsec_${toBase64Url(randomBytes(32))}`;

const utf8 = new TextEncoder();

/** Hex HMAC-SHA256 of `${timestamp}.${body}` with the secret string as key. */
export async function signWebhook(secret: string, timestamp: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(await crypto.subtle.sign('HMAC', key, utf8.encode(`${timestamp}.${body}`)));
}

// ---- settings ---------------------------------------------------------------

export type AlertSettingsRow = RowJson<typeof alertSettings.$inferSelect>;

async function secretHint(env: AlertEnv, userId: string, sealed: string | null): Promise<string | null> {
  if (!sealed) return null;
  try {
    return maskSecret(await decryptSecret(env.ENCRYPTION_KEY, sealed, alertWebhookSecret(userId)));
  } catch {
    return '••••';
  }
}

/** The settings as the API shows them: the webhook secret only as a hint. */
export async function settingsOut(env: AlertEnv, row: AlertSettingsRow | null) {
  return {
    email: row?.email ?? null,
    email_enabled: row?.email_enabled ?? false,
    /** Alerts are emailed only to a confirmed address (the link sent when it was set). */
    email_verified: Boolean(row?.email && row.email_verified_at),
    email_confirmation_sent_at: row?.email && !row.email_verified_at && row.email_confirm_sent_at ? isoZ(new Date(row.email_confirm_sent_at)) : null,
    webhook_url: row?.webhook_url ?? null,
    webhook_enabled: row?.webhook_enabled ?? false,
    webhook_secret_hint: row ? await secretHint(env, row.user_id, row.webhook_secret) : null,
    /** False when the deployment has no email API: email alerts then show in the dashboard only. */
    email_delivery_available: emailConfigured(env),
    updated_at: row ? isoZ(new Date(row.updated_at)) : null,
  };
}

export async function getAlertSettings(db: Db, userId: string): Promise<AlertSettingsRow | null> {
  const { rows } = await db.execute<{ s: AlertSettingsRow }>(sql`SELECT row_to_json(a) AS s FROM alert_settings a WHERE user_id = ${userId}`);
  return rows[0]?.s ?? null;
}

export interface AlertSettingsInput {
  email?: string | null;
  email_enabled?: boolean;
  webhook_url?: string | null;
  webhook_enabled?: boolean;
  rotate_webhook_secret?: boolean;
}

export type PutSettingsResult =
  | { kind: 'ok'; row: AlertSettingsRow; secret: string | null; confirmToken: string | null }
  | { kind: 'email_missing' }
  | { kind: 'webhook_missing' };

/** A confirmation token (sent in the link) and the hash stored for it. */
async function confirmToken() {
  const raw = toBase64Url(randomBytes(32));
  return { raw, hash: await sha256Hex(raw) };
}

/**
 * Upserts the settings in one statement. Absent fields keep their value, null clears.
 * A webhook URL without a secret gets one, as does `rotate_webhook_secret`; the raw
 * secret is returned only then (like API keys, it is never shown again).
 * A new address (or an unconfirmed one without a pending link) gets a confirmation
 * token and loses any earlier confirmation; the raw token is returned for the email.
 */
export async function putAlertSettings(db: Db, env: AlertEnv, userId: string, input: AlertSettingsInput): Promise<PutSettingsResult> {
  const candidate = newWebhookSecret();
  const sealed = await encryptSecret(env.ENCRYPTION_KEY, candidate, alertWebhookSecret(userId));
  const token = await confirmToken();
  const has = (k: keyof AlertSettingsInput) => Object.prototype.hasOwnProperty.call(input, k) && input[k] !== undefined;
  const { rows } = await db.execute<{ email_ok: boolean; webhook_ok: boolean; generated: boolean; issue_confirm: boolean; row: AlertSettingsRow | null }>(sql`
    WITH cur AS (SELECT * FROM alert_settings WHERE user_id = ${userId}),
    nxt AS (
      SELECT CASE WHEN ${has('email')} THEN ${input.email ?? null}::text ELSE (SELECT email FROM cur) END AS email,
             COALESCE(${input.email_enabled ?? null}::boolean, (SELECT email_enabled FROM cur), false) AS email_enabled,
             CASE WHEN ${has('webhook_url')} THEN ${input.webhook_url ?? null}::text ELSE (SELECT webhook_url FROM cur) END AS webhook_url,
             COALESCE(${input.webhook_enabled ?? null}::boolean, (SELECT webhook_enabled FROM cur), false) AS webhook_enabled,
             (SELECT webhook_secret FROM cur) AS old_secret
    ),
    chk AS (
      SELECT nxt.*, (NOT email_enabled OR email IS NOT NULL) AS email_ok, (NOT webhook_enabled OR webhook_url IS NOT NULL) AS webhook_ok,
             CASE WHEN ${input.rotate_webhook_secret ?? false} OR (webhook_url IS NOT NULL AND old_secret IS NULL) THEN ${sealed}
                  ELSE old_secret END AS secret,
             (email IS NOT NULL AND (email IS DISTINCT FROM (SELECT email FROM cur)
               OR ((SELECT email_verified_at FROM cur) IS NULL AND (SELECT email_confirm_hash FROM cur) IS NULL))) AS issue_confirm,
             (email IS NOT NULL AND email IS NOT DISTINCT FROM (SELECT email FROM cur)) AS same_email
      FROM nxt
    ),
    up AS (
      INSERT INTO alert_settings AS a (user_id, email, email_enabled, email_verified_at, email_confirm_hash, email_confirm_sent_at,
                                       webhook_url, webhook_secret, webhook_enabled, updated_at)
      SELECT ${userId}, email, email_enabled,
             CASE WHEN same_email THEN (SELECT email_verified_at FROM cur) END,
             CASE WHEN issue_confirm THEN ${token.hash} WHEN same_email THEN (SELECT email_confirm_hash FROM cur) END,
             CASE WHEN issue_confirm THEN now() WHEN same_email THEN (SELECT email_confirm_sent_at FROM cur) END,
             webhook_url, secret, webhook_enabled, now()
      FROM chk WHERE email_ok AND webhook_ok
      ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, email_enabled = EXCLUDED.email_enabled,
        email_verified_at = EXCLUDED.email_verified_at, email_confirm_hash = EXCLUDED.email_confirm_hash,
        email_confirm_sent_at = EXCLUDED.email_confirm_sent_at, webhook_url = EXCLUDED.webhook_url,
        webhook_secret = EXCLUDED.webhook_secret, webhook_enabled = EXCLUDED.webhook_enabled, updated_at = now()
      RETURNING a.*
    )
    SELECT chk.email_ok, chk.webhook_ok, chk.secret IS NOT DISTINCT FROM ${sealed} AS generated, chk.issue_confirm,
           (SELECT row_to_json(up) FROM up) AS row
    FROM chk`);
  const r = rows[0];
  if (!r.email_ok) return { kind: 'email_missing' };
  if (!r.webhook_ok) return { kind: 'webhook_missing' };
  return { kind: 'ok', row: r.row!, secret: r.generated ? candidate : null, confirmToken: r.issue_confirm ? token.raw : null };
}

/** How long a confirmation link works, and how often one may be sent again. */
export const CONFIRM_LINK_HOURS = 24;
const RESEND_AFTER_SECONDS = 60;
export const RESEND_TOO_SOON = 'A confirmation email was sent less than a minute ago; check your inbox (and spam folder) first';
export const NOTHING_TO_CONFIRM = 'There is no unconfirmed alert address to send a link to';

/**
 * A fresh confirmation token for the user's unconfirmed address (the old link stops
 * working), at most once a minute: the guard is in the statement, so two tabs cannot
 * both send.
 */
export async function reissueEmailConfirmation(db: Db, userId: string): Promise<{ kind: 'ok'; email: string; token: string } | { kind: 'too_soon' } | { kind: 'nothing' }> {
  const token = await confirmToken();
  const { rows } = await db.execute<{ pending: boolean; email: string | null }>(sql`
    WITH cur AS (SELECT * FROM alert_settings WHERE user_id = ${userId} AND email IS NOT NULL AND email_verified_at IS NULL),
    up AS (
      UPDATE alert_settings a SET email_confirm_hash = ${token.hash}, email_confirm_sent_at = now(), updated_at = now()
      WHERE a.user_id = ${userId} AND a.email IS NOT NULL AND a.email_verified_at IS NULL
        -- Conditions on the row being updated, not on cur: a second tab blocked on the row
        -- lock re-checks them against the first tab's committed row (a snapshot in cur would not).
        AND (a.email_confirm_sent_at IS NULL OR a.email_confirm_sent_at < now() - make_interval(secs => ${RESEND_AFTER_SECONDS}))
      RETURNING a.email
    )
    SELECT EXISTS (SELECT 1 FROM cur) AS pending, (SELECT email FROM up) AS email`);
  const r = rows[0];
  if (!r.pending) return { kind: 'nothing' };
  if (!r.email) return { kind: 'too_soon' };
  return { kind: 'ok', email: r.email, token: token.raw };
}

/**
 * Confirms the address a token was issued for: only the latest link of the address
 * still set, within CONFIRM_LINK_HOURS. Single use (the hash is cleared).
 */
export async function confirmAlertEmail(db: Db, rawToken: string): Promise<{ email: string } | null> {
  const hash = await sha256Hex(rawToken);
  const { rows } = await db.execute<{ email: string }>(sql`
    UPDATE alert_settings SET email_verified_at = now(), email_confirm_hash = NULL, updated_at = now()
    WHERE email_confirm_hash = ${hash} AND email IS NOT NULL
      AND email_confirm_sent_at > now() - make_interval(hours => ${CONFIRM_LINK_HOURS})
    RETURNING email`);
  return rows[0] ?? null;
}

/** The confirmation email: the link (to the dashboard's confirm page) is the only content beyond fixed text. */
export function confirmationEmail(dashboard: string, token: string) {
  const link = `${dashboard}/confirm-alert-email?token=${encodeURIComponent(token)}`;
  const subject = 'Confirm your SourcePilot alert address';
  const text = [
    'Someone (hopefully you) asked SourcePilot to send price and stock alerts to this address.',
    `Confirm it within ${CONFIRM_LINK_HOURS} hours: ${link}`,
    'If it was not you, ignore this email: nothing will be sent here.',
  ].join('\n\n');
  const html = `<p>Someone (hopefully you) asked SourcePilot to send price and stock alerts to this address.</p>
<p><a href="${escapeHtml(link)}">Confirm this address</a> (the link works for ${CONFIRM_LINK_HOURS} hours).</p>
<p>If it was not you, ignore this email: nothing will be sent here.</p>`;
  return { subject, html, text };
}

/** Sends the confirmation email (one attempt with the delivery retries); `unavailable` without an email API. */
export async function sendConfirmationEmail(env: AlertEnv, dashboard: string, to: string, token: string): Promise<'sent' | 'failed' | 'unavailable'> {
  if (!emailConfigured(env)) return 'unavailable';
  const { subject, html, text } = confirmationEmail(dashboard, token);
  const r = await postEmail(env, to, subject, html, text);
  return r.status === 'sent' ? 'sent' : 'failed';
}

// ---- recorded alerts --------------------------------------------------------

export const ALERT_KINDS = ['price_change', 'out_of_stock', 'back_in_stock'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

interface AlertRow {
  id: string;
  watch_id: string;
  kind: AlertKind;
  old_price: number | null;
  new_price: number | null;
  change_percent: number | null;
  details: Record<string, unknown> | null;
  delivery: Delivery | null;
  created_at: string;
  product_url: string | null;
  source: string;
  source_product_id: string | null;
  currency: string | null;
}

/** The caller's newest alerts, with the watched product. One round trip. */
export async function listAlerts(db: Db, userId: string, limit: number, watchId?: string) {
  const { rows } = await db.execute<{ items: AlertRow[] }>(sql`
    SELECT COALESCE(json_agg(a ORDER BY a.created_at DESC, a.id DESC), '[]'::json) AS items FROM (
      SELECT pa.id, pa.watch_id, pa.kind, pa.old_price, pa.new_price, pa.change_percent, pa.details, pa.delivery, pa.created_at,
             w.product_url, w.source, w.source_product_id, COALESCE(pa.details->>'currency', w.currency) AS currency
      FROM price_alerts pa JOIN price_watches w ON w.id = pa.watch_id
      WHERE pa.user_id = ${userId} ${watchId ? sql`AND pa.watch_id = ${watchId}` : sql``}
      ORDER BY pa.created_at DESC, pa.id DESC LIMIT ${limit}
    ) a`);
  return {
    items: rows[0].items.map((a) => ({
      id: a.id,
      watch_id: a.watch_id,
      kind: a.kind,
      product_url: a.product_url,
      source: a.source,
      source_product_id: a.source_product_id,
      old_price: a.old_price === null ? null : Number(a.old_price),
      new_price: a.new_price === null ? null : Number(a.new_price),
      change_percent: a.change_percent === null ? null : Number(a.change_percent),
      currency: a.currency,
      details: a.details ?? {},
      delivery: a.delivery ?? {},
      created_at: isoZ(new Date(a.created_at))!,
    })),
  };
}

// ---- delivery -----------------------------------------------------------------

/** One price alert as it is sent (and recorded). */
export interface OutgoingAlert {
  id: string;
  watchId: string;
  kind: AlertKind;
  productUrl: string | null;
  source: string;
  sourceProductId: string | null;
  oldPrice: number | null;
  newPrice: number | null;
  changePercent: number | null;
  currency: string;
  stock: number | null;
  previousStock: number | null;
  thresholdPercent: number;
  observedAt: Date;
}

export const UNCONFIRMED_ADDRESS = 'The alert address is not confirmed yet: open the link SourcePilot emailed to it (Price Watch › Alerts can send it again)';

/** Where one user's alerts go, as loaded with the watches. */
export interface Channels {
  userId: string;
  email: string | null;
  emailEnabled: boolean;
  /** The address was confirmed through the emailed link; nothing is emailed before. */
  emailVerified: boolean;
  webhookUrl: string | null;
  webhookSecret: string | null;
  webhookEnabled: boolean;
}

export interface ChannelResult {
  status: 'sent' | 'failed' | 'skipped' | 'off';
  attempts: number;
  error?: string;
  http_status?: number;
  at?: string;
}

export interface Delivery {
  email: ChannelResult;
  webhook: ChannelResult;
}

/** Tries per channel, and the pause before each retry. */
export const DELIVERY_TRIES = 3;
const RETRY_DELAYS_MS = [300, 1_000];
const ATTEMPT_TIMEOUT_MS = 10_000;

type Attempt = { ok: true; status: number } | { ok: false; retry: boolean; error: string; status?: number };

async function post(url: string, headers: Record<string, string>, body: string): Promise<Attempt> {
  let res: Response;
  try {
    // A redirect is not followed: it could lead the signed POST to a private or plain-http address.
    res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
  } catch (err) {
    const timedOut = err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return { ok: false, retry: true, error: timedOut ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s` : 'could not connect' };
  }
  await res.body?.cancel();
  if (res.ok) return { ok: true, status: res.status };
  // Other 4xx (a wrong secret, a removed endpoint) will not change on retry.
  const retry = res.status >= 500 || res.status === 429 || res.status === 408;
  return { ok: false, retry, status: res.status, error: `HTTP ${res.status}` };
}

/** Up to DELIVERY_TRIES attempts with backoff; `send` builds each attempt (fresh signature). */
async function withRetries(send: () => Promise<Attempt>): Promise<ChannelResult> {
  let last: Attempt | null = null;
  for (let attempt = 1; attempt <= DELIVERY_TRIES; attempt++) {
    last = await send();
    if (last.ok) return { status: 'sent', attempts: attempt, http_status: last.status, at: new Date().toISOString() };
    if (!last.retry || attempt === DELIVERY_TRIES) {
      return { status: 'failed', attempts: attempt, error: last.error, ...(last.status ? { http_status: last.status } : {}), at: new Date().toISOString() };
    }
    await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt - 1] ?? RETRY_DELAYS_MS[RETRY_DELAYS_MS.length - 1]));
  }
  throw new Error('unreachable');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function money(amount: number | null, currency: string) {
  if (amount === null) return '—';
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

function productName(a: OutgoingAlert) {
  return `${supplierLabel(a.source)} product ${a.sourceProductId ?? ''}`.trim();
}

/** One line per alert, for subjects and plain text. */
export function alertSummary(a: OutgoingAlert): string {
  if (a.kind === 'out_of_stock') return `Out of stock: ${productName(a)}`;
  if (a.kind === 'back_in_stock') return `Back in stock (${a.stock ?? 0} units): ${productName(a)}`;
  const pct = a.changePercent ?? 0;
  return `Price ${pct >= 0 ? 'up' : 'down'} ${Math.abs(pct)}% (${money(a.oldPrice, a.currency)} → ${money(a.newPrice, a.currency)}): ${productName(a)}`;
}

export function alertEmail(alerts: OutgoingAlert[]) {
  const subject = alerts.length === 1 ? alertSummary(alerts[0]) : `${alerts.length} supplier price alerts`;
  const rows = alerts
    .map((a) => {
      const link = a.productUrl ? `<a href="${escapeHtml(a.productUrl)}">${escapeHtml(productName(a))}</a>` : escapeHtml(productName(a));
      return `<tr><td style="padding:6px 12px 6px 0">${link}</td><td style="padding:6px 0">${escapeHtml(alertSummary(a).split(':')[0])}</td></tr>`;
    })
    .join('');
  const html =
    `<p>SourcePilot noticed ${alerts.length === 1 ? 'a supplier change' : `${alerts.length} supplier changes`} on products you watch:</p>` +
    `<table style="border-collapse:collapse">${rows}</table>` +
    `<p style="color:#666;font-size:12px">Change thresholds and alert channels in SourcePilot › Price Watch.</p>`;
  const text = `${alerts.map((a) => `- ${alertSummary(a)}${a.productUrl ? ` ${a.productUrl}` : ''}`).join('\n')}\n`;
  return { subject, html, text };
}

/** The webhook body: one delivery per user and check run, listing its alerts. */
export function webhookPayload(deliveryId: string, alerts: OutgoingAlert[], at = new Date()) {
  return {
    id: deliveryId,
    type: 'price_watch.alerts',
    created_at: at.toISOString(),
    alerts: alerts.map((a) => ({
      id: a.id,
      kind: a.kind,
      watch_id: a.watchId,
      product_url: a.productUrl,
      source: a.source,
      source_product_id: a.sourceProductId,
      old_price: a.oldPrice,
      new_price: a.newPrice,
      change_percent: a.changePercent,
      currency: a.currency,
      stock: a.stock,
      previous_stock: a.previousStock,
      threshold_percent: a.thresholdPercent,
      observed_at: a.observedAt.toISOString(),
    })),
  };
}

function postEmail(env: AlertEnv, to: string, subject: string, html: string, text: string): Promise<ChannelResult> {
  const body = JSON.stringify({ from: env.EMAIL_FROM?.trim() || 'alerts@sourcepilot.app', to: [to], subject, html, text });
  return withRetries(() =>
    post(env.EMAIL_API_URL!.trim(), { Authorization: `Bearer ${env.EMAIL_API_KEY!.trim()}`, 'Content-Type': 'application/json' }, body),
  );
}

/** One message for a user's channels: the email's parts and the webhook's event and body. */
interface Outgoing {
  subject: string;
  html: string;
  text: string;
  /** `X-SourcePilot-Event`. */
  event: string;
  /** The JSON body for a delivery id (the same on every retry). */
  body: (deliveryId: string) => unknown;
}

async function sendWebhook(env: AlertEnv, ch: Channels, out: Outgoing): Promise<ChannelResult> {
  const target = checkWebhookUrl(ch.webhookUrl!, config(env).allowLocalStores);
  if (!target.ok) return { status: 'failed', attempts: 0, error: target.msg };
  let secret: string;
  try {
    secret = await decryptSecret(env.ENCRYPTION_KEY, ch.webhookSecret!, alertWebhookSecret(ch.userId));
  } catch {
    return { status: 'failed', attempts: 0, error: 'The webhook secret cannot be read; generate a new one in Price Watch › Alerts' };
  }
  const deliveryId = crypto.randomUUID();
  const body = JSON.stringify(out.body(deliveryId));
  return withRetries(async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    return post(
      ch.webhookUrl!,
      {
        'Content-Type': 'application/json',
        'User-Agent': 'SourcePilot-Webhooks/1.0',
        'X-SourcePilot-Event': out.event,
        'X-SourcePilot-Delivery': deliveryId,
        'X-SourcePilot-Timestamp': timestamp,
        'X-SourcePilot-Signature': await signWebhook(secret, timestamp, body),
      },
      body,
    );
  });
}

/** Sends one message to a user's channels: one email (to a confirmed address) and one webhook call at most, in parallel. */
async function deliver(env: AlertEnv, ch: Channels, out: Outgoing): Promise<Delivery> {
  const email: Promise<ChannelResult> =
    !ch.emailEnabled || !ch.email
      ? Promise.resolve({ status: 'off', attempts: 0 })
      : !ch.emailVerified
        ? Promise.resolve({ status: 'skipped', attempts: 0, error: UNCONFIRMED_ADDRESS })
        : emailConfigured(env)
          ? postEmail(env, ch.email, out.subject, out.html, out.text)
          : Promise.resolve({ status: 'skipped', attempts: 0, error: 'No email API is configured; the alert is shown in the dashboard only' });
  const webhook: Promise<ChannelResult> =
    !ch.webhookEnabled || !ch.webhookUrl || !ch.webhookSecret ? Promise.resolve({ status: 'off', attempts: 0 }) : sendWebhook(env, ch, out);
  const [e, w] = await Promise.all([email, webhook]);
  return { email: e, webhook: w };
}

/** Sends one user's alerts of a check run. */
export function deliverAlerts(env: AlertEnv, ch: Channels, alerts: OutgoingAlert[]): Promise<Delivery> {
  return deliver(env, ch, { ...alertEmail(alerts), event: 'price_watch.alerts', body: (id) => webhookPayload(id, alerts) });
}

/** An account notice (not a price alert): one line for the merchant and a JSON body for webhooks. */
export interface Notice {
  /** The webhook event, e.g. `supplier_account.needs_reauth`. */
  type: string;
  subject: string;
  text: string;
  data: Record<string, unknown>;
}

/** Sends a notice through the same channels, retries and signature as price alerts. */
export function deliverNotice(env: AlertEnv, ch: Channels, notice: Notice): Promise<Delivery> {
  return deliver(env, ch, {
    subject: notice.subject,
    html: `<p>${escapeHtml(notice.text)}</p>`,
    text: `${notice.text}\n`,
    event: notice.type,
    body: (id) => ({ id, type: notice.type, created_at: new Date().toISOString(), message: notice.text, ...notice.data }),
  });
}
