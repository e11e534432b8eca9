import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fakes see it: method, path, query, headers and the raw body. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
  /** Send this text instead of JSON (e.g. a broken body). */
  raw?: string;
  /** Extra response headers (they win over the default Content-Type). */
  headers?: Record<string, string>;
  delayMs?: number;
}

/** Starts a Node HTTP server on 127.0.0.1 with a free port; the handler answers JSON. */
export async function startJsonServer(handler: (req: FakeRequest) => Promise<FakeResponse> | FakeResponse, port = 0) {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    let out: FakeResponse;
    try {
      out = await handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    } catch (err) {
      out = { status: 500, body: { error: String(err) } };
    }
    if (out.delayMs) await new Promise((r) => setTimeout(r, out.delayMs));
    if (res.destroyed) return;
    const text = out.raw ?? JSON.stringify(out.body ?? null);
    res.writeHead(out.status ?? 200, { 'Content-Type': out.raw !== undefined ? 'text/html' : 'application/json', ...out.headers });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** FNV-1a, for deterministic fake data. */
export function fakeHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const parseJson = (text: string): Record<string, unknown> => {
  try {
    const v: unknown = JSON.parse(text || '{}');
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
