/**
 * The embedded database for local development and tests: PGlite served over the
 * Postgres wire protocol by pglite-socket, fronted by a WebSocket-to-TCP bridge so the
 * worker's Neon driver talks to it exactly as it talks to Neon. With `databaseUrl`
 * set, the bridge fronts that real Postgres server instead and PGlite is not started.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, connect, type AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface LocalDbOptions {
  /** Directory for PGlite's files; omit for an in-memory database. */
  dataDir?: string;
  /** A real Postgres to front instead of PGlite (postgres://user:pass@host:port/db). */
  databaseUrl?: string;
  /** Port for pglite-server (0 = any free port). */
  pgPort?: number;
  /** Port for the WebSocket bridge (0 = any free port). */
  bridgePort?: number;
  /** Concurrent connections pglite-server multiplexes onto its single session. */
  maxConnections?: number;
}

export interface LocalDb {
  /** Connection string the worker and scripts use. */
  databaseUrl: string;
  /** host:port of the WebSocket bridge, for the worker's DB_WS_PROXY. */
  wsProxy: string;
  stop(): Promise<void>;
}

const LOCAL_URL = (port: number) => `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;

/** Starts the embedded Postgres (unless a real one is given) and the ws bridge. */
export async function startLocalDb(opts: LocalDbOptions = {}): Promise<LocalDb> {
  let pg: PGlite | undefined;
  let pgServer: PGLiteSocketServer | undefined;
  let databaseUrl = opts.databaseUrl;

  if (!databaseUrl) {
    pg = await PGlite.create(opts.dataDir ?? 'memory://');
    const port = opts.pgPort ?? (await freePort());
    pgServer = new PGLiteSocketServer({
      db: pg,
      host: '127.0.0.1',
      port,
      maxConnections: opts.maxConnections ?? 64,
    });
    await pgServer.start();
    databaseUrl = LOCAL_URL(port);
  }

  const target = new URL(databaseUrl);
  const bridge = await startBridge(target.hostname, Number(target.port || 5432), opts.bridgePort ?? 0);

  return {
    databaseUrl,
    wsProxy: `127.0.0.1:${(bridge.address() as AddressInfo).port}`,
    async stop() {
      await new Promise<void>((resolve) => bridge.close(() => resolve()));
      await pgServer?.stop();
      await pg?.close();
    },
  };
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
    const pending: Buffer[] = [];
    let open = false;
    tcp.on('connect', () => {
      open = true;
      for (const chunk of pending) tcp.write(chunk);
      pending.length = 0;
    });
    tcp.on('data', (data) => ws.readyState === ws.OPEN && ws.send(data));
    tcp.on('close', () => ws.close());
    tcp.on('error', () => ws.close());
    ws.on('message', (data: Buffer) => (open ? tcp.write(data) : pending.push(data)));
    ws.on('close', () => tcp.end());
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
