/**
 * The embedded database for local development and tests: PGlite served over the
 * Postgres wire protocol on its one session (scripts/pglite-session.ts), fronted by a WebSocket-to-TCP bridge and by
 * a local Neon HTTP query endpoint (scripts/neon-http.ts), so the worker's Neon driver
 * talks to it exactly as it talks to Neon, over either path. With `databaseUrl` set,
 * both front that real Postgres server instead and PGlite is not started.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, connect, type AddressInfo, type Server as NetServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { WebSocketServer } from 'ws';
import { PGlite } from '@electric-sql/pglite';
import { PgliteSession, portOf } from './pglite-session';
import { startNeonHttp } from './neon-http';

export interface LocalDbOptions {
  /** Directory for PGlite's files; omit for an in-memory database. */
  dataDir?: string;
  /** A real Postgres to front instead of PGlite (postgres://user:pass@host:port/db). */
  databaseUrl?: string;
  /** Port of the embedded database's Postgres server (0 = any free port). */
  pgPort?: number;
  /** Port for the WebSocket bridge (0 = any free port). */
  bridgePort?: number;
  /** Port for the Neon HTTP endpoint (0 = any free port). */
  httpPort?: number;
}

export interface LocalDb {
  /** Connection string the worker and scripts use. */
  databaseUrl: string;
  /** host:port of the WebSocket bridge, for the worker's DB_WS_PROXY. */
  wsProxy: string;
  /** URL of the Neon HTTP query endpoint, for the worker's DB_HTTP_ENDPOINT. */
  httpEndpoint: string;
  stop(): Promise<void>;
}

const LOCAL_URL = (port: number) => `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;

/** Starts the embedded Postgres (unless a real one is given), the ws bridge and the HTTP endpoint. */
export async function startLocalDb(opts: LocalDbOptions = {}): Promise<LocalDb> {
  let pg: PGlite | undefined;
  let pgServer: NetServer | undefined;
  let session: PgliteSession | undefined;
  let databaseUrl = opts.databaseUrl;

  if (!databaseUrl) {
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
    pg = await PGlite.create(opts.dataDir ?? 'memory://');
    // PGlite is one Postgres backend: every client takes turns on its one session, a
    // whole exchange or transaction at a time (scripts/pglite-session.ts).
    session = new PgliteSession(pg);
    pgServer = await session.listen('127.0.0.1', opts.pgPort ?? 0);
    databaseUrl = LOCAL_URL(portOf(pgServer));
  }

  const target = new URL(databaseUrl);
  const bridge = await startBridge(target.hostname, Number(target.port || 5432), opts.bridgePort ?? 0);
  const http = await startNeonHttp({ databaseUrl, maxSessions: 10, session, port: opts.httpPort ?? 0 });

  return {
    databaseUrl,
    wsProxy: `127.0.0.1:${(bridge.address() as AddressInfo).port}`,
    httpEndpoint: http.url,
    async stop() {
      await http.stop();
      await new Promise<void>((resolve) => bridge.close(() => resolve()));
      if (pgServer) await new Promise<void>((resolve) => pgServer!.close(() => resolve()));
      await pg?.close();
    },
  };
}

/**
 * Watches the client's side of the Postgres protocol for a Terminate message. A real
 * server closes the connection when it gets one (the embedded one does too); the bridge
 * closes it as well, whatever the server (otherwise every finished pool would hold a connection forever).
 */
class TerminateWatcher {
  private startup = true;
  private header = Buffer.alloc(0);
  private skip = 0;

  /** Feeds client bytes; true once a Terminate message has been seen. */
  feed(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const need = this.startup ? 4 : 5;
      const take = Math.min(need - this.header.length, chunk.length - i);
      this.header = Buffer.concat([this.header, chunk.subarray(i, i + take)]);
      i += take;
      if (this.header.length < need) break;
      if (this.startup) {
        const len = this.header.readInt32BE(0);
        this.skip = len - 4;
        // An 8-byte SSLRequest/GSSENCRequest is followed by the real startup packet.
        if (len !== 8) this.startup = false;
      } else {
        if (this.header[0] === 0x58) return true;
        this.skip = this.header.readInt32BE(1) - 4;
      }
      this.header = Buffer.alloc(0);
    }
    return false;
  }
}

/**
 * Each WebSocket connection becomes one TCP connection to the configured database
 * (never to an address the client names), with bytes copied both ways.
 */
async function startBridge(host: string, port: number, listenPort: number): Promise<Server> {
  const server = createHttpServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    const tcp = connect({ host, port });
    const watcher = new TerminateWatcher();
    const pending: Buffer[] = [];
    let open = false;
    let terminated = false;
    const send = (data: Buffer) => {
      tcp.write(data);
      if (watcher.feed(data)) {
        terminated = true;
        tcp.end();
      }
    };
    tcp.on('connect', () => {
      open = true;
      for (const chunk of pending) send(chunk);
      pending.length = 0;
    });
    tcp.on('data', (data) => ws.readyState === ws.OPEN && ws.send(data));
    // After a Terminate the client waits for the server to hang up (pool.end() resolves
    // only then, and a queue batch or request isn't finished before it). Closing the
    // WebSocket cleanly, a moment later, does that without workerd reporting
    // "Network connection lost".
    tcp.on('close', () => {
      if (!terminated) ws.close();
      else setTimeout(() => ws.readyState === ws.OPEN && ws.close(1000), 50);
    });
    tcp.on('error', () => ws.close());
    ws.on('message', (data: Buffer) => (open ? send(data) : pending.push(data)));
    ws.on('close', () => tcp.destroy());
    ws.on('error', () => tcp.destroy());
  });
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    return close(cb);
  }) as typeof server.close;
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  return server;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
