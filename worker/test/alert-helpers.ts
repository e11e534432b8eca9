import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { rawCall } from './helpers';

/** The alerts fake (worker/test/fakes/alerts.ts): the email API and webhook receivers. */
export const ALERTS_FAKE = new URL(env.EMAIL_API_URL).origin;

export async function alertsFake<T = any>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${ALERTS_FAKE}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`alerts fake ${path}: ${res.status}`);
  return (await res.json()) as T;
}

export const mailbox = (to: string) =>
  alertsFake<{ attempts: number; emails: { from: string; to: string[]; subject: string; html: string; text: string }[] }>(`emails?to=${encodeURIComponent(to)}`);

/** The token in the newest confirmation link SourcePilot emailed to `to`. */
export async function emailedToken(to: string): Promise<string> {
  const mail = (await mailbox(to)).emails.filter((e) => e.subject === 'Confirm your SourcePilot alert address').at(-1);
  if (!mail) throw new Error(`no confirmation email for ${to}`);
  return new URL(/https?:\/\/\S+confirm-alert-email\?token=\S+/.exec(mail.text)![0]).searchParams.get('token')!;
}

/** Opens the emailed link the way the dashboard's confirm page does, then empties the mailbox. */
export async function confirmAlertAddress(to: string) {
  const r = await rawCall('/alerts/email/confirm', { body: { token: await emailedToken(to) } });
  expect(r.status).toBe(200);
  await alertsFake('emails/clear', { to });
}
