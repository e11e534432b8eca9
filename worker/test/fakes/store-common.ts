import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake store handler sees of a request. */
export interface StoreRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface StoreReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** A Node HTTP server on 127.0.0.1 (free port) whose handler answers JSON. */
export async function startStoreServer(handler: (req: StoreRequest) => StoreReply | Promise<StoreReply>) {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    let reply: StoreReply;
    try {
      reply = await handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    } catch (err) {
      reply = { status: 500, body: { fake_error: String(err) } };
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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
