/**
 * PGlite is one Postgres backend, so it has exactly one session. Every client of the
 * embedded database (the WebSocket bridge's connections, arriving over TCP, and the
 * local Neon HTTP endpoint, in-process) takes turns on that session here, a whole unit
 * at a time:
 *
 * - a protocol client (one TCP connection) holds the session from its first message
 *   until Postgres answers ReadyForQuery with status `I` (idle): one simple query, one
 *   extended-protocol exchange up to its Sync, or a whole transaction (BEGIN … COMMIT,
 *   since ReadyForQuery says `T` or `E` inside one). Nobody else's messages reach the
 *   backend in between, so statements never interleave inside another's transaction or
 *   between another's Parse and Sync;
 * - an in-process user (the HTTP endpoint) holds it for a whole request: one statement,
 *   or a batch from START TRANSACTION to COMMIT.
 *
 * Turns are granted first come, first served. A client that disconnects while holding
 * the session has its open transaction rolled back before the next turn starts.
 * On a real PostgreSQL (DATABASE_URL) none of this is used: each client has its own
 * connection and Postgres does the isolating.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { PGlite } from '@electric-sql/pglite';

/** Protocol request codes of the untyped first messages (PostgreSQL protocol, "Message Formats"). */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const ROLLBACK = (() => {
  const text = Buffer.from('ROLLBACK\0', 'utf8');
  const head = Buffer.alloc(5);
  head.write('Q', 0, 'latin1');
  head.writeInt32BE(text.length + 4, 1);
  return Buffer.concat([head, text]);
})();

/** The status byte of the last ReadyForQuery in a chunk of backend messages, if any. */
export function lastReadyStatus(bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let status: string | undefined;
  let i = 0;
  while (i + 5 <= buf.length) {
    const len = buf.readInt32BE(i + 1);
    if (buf[i] === 0x5a && i + 5 < buf.length) status = String.fromCharCode(buf[i + 5]);
    i += 1 + len;
  }
  return status;
}

/** Splits complete typed frontend messages off the front of a buffer. */
function takeMessages(buf: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let i = 0;
  while (buf.length - i >= 5) {
    const len = 1 + buf.readInt32BE(i + 1);
    if (buf.length - i < len) break;
    messages.push(buf.subarray(i, i + len));
    i += len;
  }
  return { messages, rest: buf.subarray(i) };
}

/** One holder of the session at a time; waiters are served in arrival order. */
export class PgliteSession {
  private holder: object | null = null;
  private waiters: { owner: object; resolve: () => void }[] = [];

  constructor(readonly pg: PGlite) {}

  /** Waits for the session (returns at once if `owner` already holds it). */
  async acquire(owner: object): Promise<void> {
    if (this.holder === owner) return;
    if (!this.holder) {
      this.holder = owner;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push({ owner, resolve }));
  }

  /** Hands the session to the next waiter, if `owner` holds it. */
  release(owner: object): void {
    if (this.holder !== owner) return;
    const next = this.waiters.shift();
    this.holder = next?.owner ?? null;
    next?.resolve();
  }

  holds(owner: object): boolean {
    return this.holder === owner;
  }

  /** Sends one frontend message to the backend; the caller holds the session. */
  async exec(owner: object, message: Uint8Array): Promise<Uint8Array> {
    if (this.holder !== owner) throw new Error('pglite-session: exec without holding the session');
    return this.pg.execProtocolRaw(message);
  }

  /**
   * Ends whatever `owner` left open (an unfinished extended-protocol exchange, a
   * transaction) and releases the session.
   */
  async abandon(owner: object): Promise<void> {
    if (this.holder !== owner) {
      this.waiters = this.waiters.filter((w) => w.owner !== owner);
      return;
    }
    try {
      let status = lastReadyStatus(await this.pg.execProtocolRaw(SYNC));
      if (status !== 'I') status = lastReadyStatus(await this.pg.execProtocolRaw(ROLLBACK));
    } finally {
      this.release(owner);
    }
  }

  /**
   * A connection for an in-process client that holds the session for a whole unit of
   * work (see `run`): a Duplex that speaks the frontend protocol in and the backend
   * protocol out, as a TCP socket to Postgres would.
   */
  stream(owner: object): Duplex {
    let pending: Buffer = Buffer.alloc(0);
    let chain: Promise<void> = Promise.resolve();
    const session = this;
    const duplex: Duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, callback) {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        const { messages, rest } = takeMessages(pending);
        pending = rest;
        chain = chain.then(async () => {
          for (const message of messages) {
            if (message[0] === 0x58) continue; // Terminate: the session outlives this client.
            duplex.push(Buffer.from(await session.exec(owner, message)));
          }
        });
        chain.then(() => callback(), callback);
      },
    });
    return duplex;
  }

  /**
   * Runs `work` holding the session throughout (the HTTP endpoint's request: one
   * statement, or a batch from START TRANSACTION to COMMIT); a transaction it leaves open
   * is rolled back before the next turn.
   */
  async run<T>(work: (owner: object) => Promise<T>): Promise<T> {
    const owner = {};
    await this.acquire(owner);
    try {
      return await work(owner);
    } finally {
      // The endpoint sends whole exchanges (each up to its Sync), so only a transaction can be left open.
      try {
        if (this.pg.isInTransaction()) await this.pg.execProtocolRaw(ROLLBACK);
      } finally {
        this.release(owner);
      }
    }
  }

  /**
   * Serves the session over TCP as a Postgres server would (the WebSocket bridge and
   * tools connect here): each connection takes turns as described above.
   */
  async listen(host: string, port: number): Promise<Server> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      this.serve(socket);
    });
    // Closing the server hangs up on its clients too (net's close() would wait for them).
    const close = server.close.bind(server);
    server.close = ((cb?: (err?: Error) => void) => {
      for (const socket of sockets) socket.destroy();
      return close(cb);
    }) as typeof server.close;
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    return server;
  }

  private serve(socket: Socket) {
    socket.setNoDelay(true);
    const owner = {};
    let buf: Buffer = Buffer.alloc(0);
    let inStartup = true;
    let closed = false;
    let chain: Promise<void> = Promise.resolve();
    const close = () => {
      if (closed) return;
      closed = true;
      chain = chain.then(() => this.abandon(owner)).catch(() => undefined);
    };
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const messages: Buffer[] = [];
      for (;;) {
        const headerLen = inStartup ? 4 : 5;
        if (buf.length < headerLen) break;
        const len = inStartup ? buf.readInt32BE(0) : 1 + buf.readInt32BE(1);
        if (buf.length < len) break;
        const message = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (inStartup) {
          const code = message.readInt32BE(4);
          if (len === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
            socket.write('N'); // No TLS or GSSAPI locally; the client goes on in plain text.
            continue;
          }
          if (code === CANCEL_REQUEST) {
            socket.end(); // Not supported: the server closes the connection, as Postgres does after a cancel.
            return;
          }
          inStartup = false;
        }
        messages.push(message);
      }
      chain = chain.then(async () => {
        for (const message of messages) {
          if (closed) return;
          if (message[0] === 0x58) {
            // Terminate: Postgres closes the connection; the session stays for the others.
            socket.end();
            close();
            return;
          }
          await this.acquire(owner);
          const reply = await this.exec(owner, message);
          if (!socket.destroyed) socket.write(reply);
          if (lastReadyStatus(reply) === 'I') this.release(owner);
        }
      }).catch(() => {
        socket.destroy();
        close();
      });
    });
    socket.on('close', close);
    socket.on('error', close);
  }
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
