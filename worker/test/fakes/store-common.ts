import { startJsonServer, type FakeRequest } from './server';

/** What a fake store handler sees of a request. */
export type StoreRequest = FakeRequest;

export interface StoreReply {
  status?: number;
  body?: unknown;
  /** An HTML page instead of JSON (the stores' own screens, e.g. an approve screen). */
  html?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Sent as it is instead of JSON (e.g. an image); give its Content-Type in `headers`. */
  raw?: string;
}

/**
 * The shared fake server (./server.ts) answering store replies: JSON with a charset, an
 * empty body when the reply has none, and the reply's own headers.
 */
export function startStoreServer(handler: (req: StoreRequest) => StoreReply | Promise<StoreReply>) {
  return startJsonServer(async (req) => {
    const reply = await handler(req);
    return {
      status: reply.status,
      delayMs: reply.delayMs,
      raw: reply.html ?? reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)),
      headers: { 'Content-Type': reply.html !== undefined ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8', ...reply.headers },
    };
  });
}

export function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return Symbol.for('invalid-json');
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Money as the stores accept it: a decimal string ("12.5", "12.50"). */
export const isMoney = (v: unknown) => typeof v === 'string' && /^\d+(\.\d{1,2})?$/.test(v);

/** A scripted failure: the next `count` API calls answer with it. */
export interface Failure {
  status: number;
  count: number;
  body?: unknown;
  delayMs?: number;
}

export function takeFailure(failure: Failure | null): Failure | null {
  if (!failure || failure.count <= 0) return null;
  failure.count--;
  return failure;
}
