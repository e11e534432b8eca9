/**
 * The Postgres side of the local Neon HTTP endpoint: a minimal wire-protocol client
 * that runs a statement the way Neon's proxy does (`query_raw_txt`: extended protocol,
 * unnamed statement, text parameters, text results) and hands back what Postgres sent
 * unchanged: the RowDescription's type OIDs, the text of every value, the command tag
 * and every field of an ErrorResponse. A general-purpose client would parse the values
 * or fall back to the simple protocol for parameterless queries; this one must not.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

export interface PgField {
  name: string;
  tableID: number;
  columnID: number;
  dataTypeID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
}

export interface PgResult {
  fields: PgField[];
  /** Each value as the text Postgres sent, or null. */
  rows: (string | null)[][];
  /** The CommandComplete tag, e.g. "INSERT 0 3"; empty for an empty query. */
  commandTag: string;
}

/** An ErrorResponse from the server, its fields keyed by the protocol's one-letter codes. */
export class PgError extends Error {
  constructor(readonly fields: Record<string, string>) {
    super(fields.M ?? 'unknown database error');
  }
}

/** Transaction status from the last ReadyForQuery: I idle, T in a transaction block, E failed one. */
type TxStatus = 'I' | 'T' | 'E';

interface Message {
  type: string;
  body: Buffer;
}

const cstring = (s: string) => Buffer.from(`${s}\0`, 'utf8');

function frame(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

function parseError(body: Buffer): PgError {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i]);
    const end = body.indexOf(0, i + 1);
    fields[code] = body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return new PgError(fields);
}

function parseRowDescription(body: Buffer): PgField[] {
  const count = body.readInt16BE(0);
  const fields: PgField[] = [];
  let i = 2;
  for (let n = 0; n < count; n++) {
    const end = body.indexOf(0, i);
    const name = body.toString('utf8', i, end);
    i = end + 1;
    fields.push({
      name,
      tableID: body.readUInt32BE(i),
      columnID: body.readInt16BE(i + 4),
      dataTypeID: body.readUInt32BE(i + 6),
      dataTypeSize: body.readInt16BE(i + 10),
      dataTypeModifier: body.readInt32BE(i + 12),
    });
    i += 18;
  }
  return fields;
}

function parseDataRow(body: Buffer): (string | null)[] {
  const count = body.readInt16BE(0);
  const values: (string | null)[] = [];
  let i = 2;
  for (let n = 0; n < count; n++) {
    const len = body.readInt32BE(i);
    i += 4;
    if (len < 0) values.push(null);
    else {
      values.push(body.toString('utf8', i, i + len));
      i += len;
    }
  }
  return values;
}

/** One Postgres session over TCP. */
export class PgConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: ((m: Message | Error) => void) | undefined;
  private failure: Error | undefined;
  /** Set once the socket failed or the protocol got out of step: never reuse it then. */
  broken = false;
  txStatus: TxStatus = 'I';

  private constructor(private readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.deliver();
    });
    const fail = (err: Error) => {
      this.broken = true;
      this.failure ??= err;
      const w = this.waiting;
      this.waiting = undefined;
      w?.(this.failure);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the database closed the connection')));
  }

  /** A session already started, reached through an in-process stream (the embedded database's, scripts/pglite-session.ts). */
  static over(stream: Duplex): PgConnection {
    return new PgConnection(stream);
  }

  static async open(url: URL): Promise<PgConnection> {
    const socket = connect({ host: url.hostname, port: Number(url.port || 5432) });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const conn = new PgConnection(socket);
    try {
      await conn.startup(decodeURIComponent(url.username), decodeURIComponent(url.password), decodeURIComponent(url.pathname.slice(1)));
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }

  private deliver() {
    if (!this.waiting || this.buffer.length < 5) return;
    const len = this.buffer.readInt32BE(1);
    if (this.buffer.length < len + 1) return;
    const message = { type: String.fromCharCode(this.buffer[0]), body: this.buffer.subarray(5, len + 1) };
    this.buffer = this.buffer.subarray(len + 1);
    const w = this.waiting;
    this.waiting = undefined;
    w(message);
  }

  private next(): Promise<Message> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = (m) => (m instanceof Error ? reject(m) : resolve(m));
      this.deliver();
    });
  }

  private async startup(user: string, password: string, database: string) {
    const params = Buffer.concat([cstring('user'), cstring(user), cstring('database'), cstring(database), cstring('client_encoding'), cstring('UTF8'), Buffer.from([0])]);
    this.socket.write(Buffer.concat([int32(params.length + 8), int32(196608), params]));
    let scram: { clientFirstBare: string; nonce: string; serverSignature?: Buffer } | undefined;
    for (;;) {
      const m = await this.next();
      if (m.type === 'E') throw parseError(m.body);
      if (m.type === 'Z') {
        this.txStatus = String.fromCharCode(m.body[0]) as TxStatus;
        return;
      }
      if (m.type !== 'R') continue;
      const kind = m.body.readInt32BE(0);
      if (kind === 3) this.socket.write(frame('p', cstring(password)));
      else if (kind === 5) {
        const inner = createHash('md5').update(password + user).digest('hex');
        const outer = createHash('md5').update(inner).update(m.body.subarray(4, 8)).digest('hex');
        this.socket.write(frame('p', cstring(`md5${outer}`)));
      } else if (kind === 10) {
        const nonce = randomBytes(18).toString('base64');
        const clientFirstBare = `n=*,r=${nonce}`;
        const first = Buffer.from(`n,,${clientFirstBare}`);
        this.socket.write(frame('p', cstring('SCRAM-SHA-256'), int32(first.length), first));
        scram = { clientFirstBare, nonce };
      } else if (kind === 11 && scram) {
        const serverFirst = m.body.toString('utf8', 4);
        const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
        if (!attrs.r?.startsWith(scram.nonce)) throw new Error('SCRAM: server nonce does not extend the client nonce');
        const salted = pbkdf2Sync(password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256');
        const clientKey = createHmac('sha256', salted).update('Client Key').digest();
        const storedKey = createHash('sha256').update(clientKey).digest();
        const withoutProof = `c=biws,r=${attrs.r}`;
        const authMessage = `${scram.clientFirstBare},${serverFirst},${withoutProof}`;
        const signature = createHmac('sha256', storedKey).update(authMessage).digest();
        const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
        const serverKey = createHmac('sha256', salted).update('Server Key').digest();
        scram.serverSignature = createHmac('sha256', serverKey).update(authMessage).digest();
        this.socket.write(frame('p', Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)));
      } else if (kind === 12 && scram?.serverSignature) {
        const v = m.body.toString('utf8', 4).match(/v=([^,]+)/)?.[1];
        if (v !== scram.serverSignature.toString('base64')) throw new Error('SCRAM: the server signature does not match');
      } else if (kind !== 0) {
        throw new Error(`authentication method ${kind} is not supported by the local endpoint`);
      }
    }
  }

  /** Runs one statement with the extended protocol; rejects with PgError on an ErrorResponse. */
  async query(sql: string, params: (string | null)[]): Promise<PgResult> {
    const bind = [cstring(''), cstring(''), int16(0), int16(params.length)];
    for (const p of params) {
      if (p === null) bind.push(int32(-1));
      else {
        const bytes = Buffer.from(p, 'utf8');
        bind.push(int32(bytes.length), bytes);
      }
    }
    bind.push(int16(0));
    this.socket.write(
      Buffer.concat([
        frame('P', cstring(''), cstring(sql), int16(0)),
        frame('B', ...bind),
        frame('D', Buffer.from('P'), cstring('')),
        frame('E', cstring(''), int32(0)),
        frame('S'),
      ]),
    );
    return this.collect();
  }

  /** Runs a statement with the simple protocol (transaction control, which takes no parameters). */
  async simple(sql: string): Promise<PgResult> {
    this.socket.write(frame('Q', cstring(sql)));
    return this.collect();
  }

  /** Reads up to ReadyForQuery: the result, or the first error. */
  private async collect(): Promise<PgResult> {
    const result: PgResult = { fields: [], rows: [], commandTag: '' };
    let error: PgError | undefined;
    try {
      for (;;) {
        const m = await this.next();
        switch (m.type) {
          case 'T':
            result.fields = parseRowDescription(m.body);
            break;
          case 'D':
            result.rows.push(parseDataRow(m.body));
            break;
          case 'C':
            result.commandTag = m.body.toString('utf8', 0, m.body.length - 1);
            break;
          case 'E':
            error ??= parseError(m.body);
            break;
          case 'Z':
            this.txStatus = String.fromCharCode(m.body[0]) as TxStatus;
            if (error) throw error;
            return result;
          // ParseComplete, BindComplete, NoData, EmptyQueryResponse, notices, parameter
          // status and notifications carry nothing the HTTP response reports.
        }
      }
    } catch (err) {
      if (!(err instanceof PgError)) this.broken = true;
      throw err;
    }
  }

  close() {
    this.broken = true;
    if (!this.socket.destroyed) {
      this.socket.end(frame('X'));
      this.socket.destroy();
    }
  }
}

/** Where the endpoint runs a request: on one session, for the request's whole duration. */
export interface Sessions {
  run<T>(work: (conn: PgConnection) => Promise<T>): Promise<T>;
  end(): Promise<void>;
}

/**
 * Sessions to a real PostgreSQL server, at most `max` at a time; a caller waits for a
 * free one (the embedded database is served in-process instead, see neon-http.ts). A session that broke or was left inside a
 * transaction is closed instead of reused, as Neon's proxy discards it.
 */
export class PgPool implements Sessions {
  private idle: PgConnection[] = [];
  private open = 0;
  private queue: (() => void)[] = [];
  private ended = false;

  constructor(private readonly url: URL, private readonly max: number) {}

  async run<T>(work: (conn: PgConnection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      return await work(conn);
    } finally {
      this.release(conn);
    }
  }

  private async acquire(): Promise<PgConnection> {
    for (;;) {
      if (this.ended) throw new Error('the local database endpoint is shutting down');
      const idle = this.idle.pop();
      if (idle) return idle;
      if (this.open < this.max) {
        this.open++;
        try {
          return await PgConnection.open(this.url);
        } catch (err) {
          this.open--;
          this.wake();
          throw err;
        }
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
  }

  private release(conn: PgConnection) {
    if (conn.broken || conn.txStatus !== 'I' || this.ended) {
      conn.close();
      this.open--;
    } else {
      this.idle.push(conn);
    }
    this.wake();
  }

  private wake() {
    this.queue.shift()?.();
  }

  async end() {
    this.ended = true;
    for (const conn of this.idle) conn.close();
    this.idle = [];
    for (const resolve of this.queue.splice(0)) resolve();
  }
}
