/**
 * A local endpoint speaking Neon's HTTP query protocol (what `neon()` from
 * @neondatabase/serverless sends to https://<host>/sql), so the worker's HTTP driver
 * runs unchanged against the embedded database or a local PostgreSQL. It follows Neon's
 * proxy (neondatabase/neon, proxy/src/serverless/sql_over_http.rs and json.rs):
 *
 * - body `{query, params, arrayMode?}` runs one statement; `{queries: [...]}` runs them
 *   in order as one transaction (`START TRANSACTION` with the Neon-Batch-Isolation-Level,
 *   -Read-Only and -Deferrable headers; any error rolls the whole batch back);
 * - a result is `{fields, rows, command, rowCount, rowAsArray}`, fields with their type
 *   OIDs, rows as arrays or objects (Neon-Array-Mode, or the query's own arrayMode), values
 *   as Postgres' text (Neon-Raw-Text-Output: true, as the driver always asks) or converted
 *   to JSON the way json.rs does;
 * - an error is HTTP 400 with `{message, code, detail, hint, position, …}` for Postgres
 *   and request errors (the fields the driver copies onto NeonDbError), 413/507 past the
 *   10 MiB request/response limits, 500 when the database cannot be reached.
 *
 * It serves one database only: the connection string the client sends must name the same
 * user and database, and is never used to reach anything else.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PgConnection, PgError, PgPool, type PgResult, type Sessions } from './neon-http-pg';
import type { PgliteSession } from './pglite-session';

export interface NeonHttpOptions {
  /** The database to serve (postgres://user:pass@host:port/db). */
  databaseUrl: string;
  /** Concurrent connections to a real server (ignored with `session`). */
  maxSessions: number;
  /**
   * The embedded database's one session: requests run in-process on it, each holding it
   * whole (scripts/pglite-session.ts), in turn with the WebSocket bridge's clients.
   */
  session?: PgliteSession;
  /** Port to listen on (0 = any free port). */
  port?: number;
}

export interface NeonHttpEndpoint {
  /** http://127.0.0.1:port/sql, for the driver's fetchEndpoint. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Neon's default sql_over_http_max_request_size_bytes and _max_response_size_bytes. */
const MAX_BYTES = 10 * 1024 * 1024;

const ISOLATION: Record<string, string> = {
  Serializable: 'SERIALIZABLE',
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
};

interface QueryData {
  query: string;
  params: (string | null)[];
  arrayMode?: boolean;
}

/** An error answered as Neon answers it: a status and a message, no Postgres fields. */
class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Params as Postgres text, as json_to_pg_text does: strings as they are, arrays as array literals. */
function paramText(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

function arrayLiteral(value: unknown): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return `{${value.map((v) => arrayLiteral(v) ?? 'NULL').join(',')}}`;
  if (typeof value === 'object') return JSON.stringify(JSON.stringify(value));
  return JSON.stringify(value);
}

function parseQueryData(raw: unknown): QueryData {
  if (!raw || typeof raw !== 'object' || typeof (raw as { query?: unknown }).query !== 'string') {
    throw new HttpError(400, 'could not parse the HTTP request body: missing field `query`');
  }
  const { query, params = [], arrayMode } = raw as { query: string; params?: unknown; arrayMode?: unknown };
  if (!Array.isArray(params)) throw new HttpError(400, 'could not parse the HTTP request body: `params` must be an array');
  if (arrayMode !== undefined && arrayMode !== null && typeof arrayMode !== 'boolean') {
    throw new HttpError(400, 'could not parse the HTTP request body: `arrayMode` must be a boolean');
  }
  return { query, params: params.map(paramText), arrayMode: arrayMode ?? undefined };
}

/** The body: one statement, or a batch (Neon's untagged enum tries the single form first). */
function parsePayload(body: string): QueryData | QueryData[] {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw new HttpError(400, `could not parse the HTTP request body: ${(err as Error).message}`);
  }
  if (raw && typeof raw === 'object' && typeof (raw as { query?: unknown }).query === 'string') return parseQueryData(raw);
  const queries = (raw as { queries?: unknown } | null)?.queries;
  if (!Array.isArray(queries)) throw new HttpError(400, 'could not parse the HTTP request body: data did not match any variant of untagged enum Payload');
  return queries.map(parseQueryData);
}

interface Headers {
  rawOutput: boolean;
  arrayMode: boolean;
  isolation?: string;
  readOnly: boolean;
  deferrable: boolean;
}

/** Neon takes exactly "true" as on; anything else is off. */
function parseHeaders(req: IncomingMessage): Headers {
  const h = (name: string) => req.headers[name] as string | undefined;
  const level = h('neon-batch-isolation-level');
  if (level !== undefined && !(level in ISOLATION)) throw new HttpError(400, 'invalid isolation level');
  return {
    rawOutput: h('neon-raw-text-output') === 'true',
    arrayMode: h('neon-array-mode') === 'true',
    isolation: level,
    readOnly: h('neon-batch-read-only') === 'true',
    deferrable: h('neon-batch-deferrable') === 'true',
  };
}

/** Checks the Neon-Connection-String header the way Neon's get_conn_info does, and that it names the served database. */
function checkConnectionString(req: IncomingMessage, served: URL) {
  const value = req.headers['neon-connection-string'];
  if (typeof value !== 'string') throw new HttpError(400, 'invalid header: neon-connection-string');
  let url: URL;
  try {
    url = new URL(value);
  } catch (err) {
    throw new HttpError(400, `invalid connection string: ${(err as Error).message}`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new HttpError(400, 'incorrect scheme');
  if (!url.username) throw new HttpError(400, 'missing username');
  const db = decodeURIComponent(url.pathname.slice(1));
  if (!db) throw new HttpError(400, 'missing database name');
  if (decodeURIComponent(url.username) !== decodeURIComponent(served.username) || db !== decodeURIComponent(served.pathname.slice(1))) {
    throw new HttpError(400, `the local endpoint serves only user "${decodeURIComponent(served.username)}" on database "${decodeURIComponent(served.pathname.slice(1))}"`);
  }
}

/** OIDs json.rs converts when raw output is off; every other type stays a string. */
const BOOL = 16;
const INTS = new Set([21, 23]);
const FLOATS = new Set([700, 701]);
const JSONS = new Set([114, 3802]);

/** Element type of an array type, from pg_type (cached): json.rs parses arrays element by element. */
class ArrayTypes {
  private known = new Map<number, number>();

  async load(conn: PgConnection, oids: number[]) {
    const missing = [...new Set(oids)].filter((oid) => !this.known.has(oid));
    if (!missing.length) return;
    const res = await conn.query(`SELECT oid::int8, typelem::int8 FROM pg_type WHERE oid = ANY($1::oid[]) AND typcategory = 'A'`, [`{${missing.join(',')}}`]);
    for (const oid of missing) this.known.set(oid, 0);
    for (const [oid, elem] of res.rows) this.known.set(Number(oid), Number(elem));
  }

  element(oid: number): number {
    return this.known.get(oid) ?? 0;
  }
}

function textToJson(text: string, oid: number, arrays: ArrayTypes): unknown {
  const elem = arrays.element(oid);
  if (elem) return parseArray(text, elem, arrays);
  if (oid === BOOL) return text === 't';
  if (INTS.has(oid)) return Number.parseInt(text, 10);
  if (FLOATS.has(oid)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  if (JSONS.has(oid)) return JSON.parse(text);
  return text;
}

/** Postgres' array text form (`{1,"a b",NULL,{2,3}}`, optional `[1:2]=` bounds) into nested JSON arrays. */
function parseArray(text: string, elem: number, arrays: ArrayTypes): unknown[] {
  let s = text;
  if (s.startsWith('[')) {
    const eq = s.indexOf('=');
    if (eq < 0) throw new Error('unbalanced array');
    s = s.slice(eq + 1);
  }
  let i = 0;
  const skipSpace = () => {
    while (s[i] === ' ') i++;
  };
  const list = (): unknown[] => {
    skipSpace();
    if (s[i] !== '{') throw new Error('unbalanced array');
    i++;
    const out: unknown[] = [];
    for (;;) {
      skipSpace();
      if (s[i] === '{') out.push(list());
      else if (s[i] === '"') {
        let v = '';
        i++;
        while (s[i] !== '"') {
          if (i >= s.length) throw new Error('unbalanced quoted string');
          if (s[i] === '\\') i++;
          v += s[i++];
        }
        i++;
        out.push(textToJson(v, elem, arrays));
      } else {
        let end = i;
        while (end < s.length && s[end] !== ',' && s[end] !== '}') end++;
        const item = s.slice(i, end).trimEnd();
        i = end;
        out.push(item === 'NULL' ? null : textToJson(item, elem, arrays));
      }
      skipSpace();
      if (s[i] === ',') i++;
      else break;
    }
    if (s[i] !== '}') throw new Error('unbalanced array');
    i++;
    return out;
  };
  const out = list();
  skipSpace();
  if (i !== s.length) throw new Error('unbalanced array');
  return out;
}

/** Number of rows from a command tag: INSERT's is after the OID, every other's comes first. */
function rowCount(tag: string): number | null {
  const parts = tag.split(' ');
  const n = parts[0] === 'INSERT' ? parts[2] : parts[1];
  return n !== undefined && /^-?\d+$/.test(n) ? Number(n) : null;
}

async function resultJson(result: PgResult, q: QueryData, headers: Headers, conn: PgConnection, arrays: ArrayTypes): Promise<Record<string, unknown>> {
  const arrayMode = q.arrayMode ?? headers.arrayMode;
  if (!headers.rawOutput) await arrays.load(conn, result.fields.map((f) => f.dataTypeID));
  const value = (text: string | null, i: number) => {
    if (text === null || headers.rawOutput) return text;
    try {
      return textToJson(text, result.fields[i].dataTypeID, arrays);
    } catch {
      throw new HttpError(500, 'could not parse postgres response');
    }
  };
  const rows = result.rows.map((row) =>
    arrayMode ? row.map(value) : Object.fromEntries(row.map((text, i) => [result.fields[i].name, value(text, i)])),
  );
  return {
    fields: result.fields.map((f) => ({ ...f, format: 'text' })),
    rows,
    command: result.commandTag.split(' ')[0],
    rowCount: rowCount(result.commandTag),
    rowAsArray: arrayMode,
  };
}

/** The JSON error body of sql_over_http.rs: every field present, null (or "" for code and severity) when absent. */
function errorBody(err: unknown): { status: number; body: Record<string, unknown> } {
  const f = err instanceof PgError ? err.fields : {};
  const status = err instanceof PgError ? 400 : err instanceof HttpError ? err.status : 500;
  return {
    status,
    body: {
      message: err instanceof Error ? err.message : String(err),
      code: f.C ?? '',
      detail: f.D ?? null,
      hint: f.H ?? null,
      position: f.P ?? null,
      internalPosition: f.p ?? null,
      internalQuery: f.q ?? null,
      severity: f.S ?? '',
      where: f.W ?? null,
      table: f.t ?? null,
      column: f.c ?? null,
      schema: f.s ?? null,
      dataType: f.d ?? null,
      constraint: f.n ?? null,
      file: f.F ?? null,
      line: f.L ?? null,
      routine: f.R ?? null,
    },
  };
}

/** Sends a JSON body (`text`: one already encoded). */
function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, text?: string) {
  const bytes = Buffer.from(text ?? JSON.stringify(body), 'utf8');
  // With its length known, head and body leave in one write (chunked encoding would send
  // them in separate segments, and a large body then waits on the client's delayed ACK).
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(bytes.length), 'Access-Control-Allow-Origin': '*', ...headers });
  res.end(bytes);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BYTES) throw new HttpError(413, `request is too large (max is ${MAX_BYTES} bytes)`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A response encoded as it is built: each result is stringified once, its size added to
 * the total as Neon's proxy counts it while reading rows (past the limit: 507, and a batch
 * rolls back), and the parts are joined into the body without encoding them again.
 */
class Encoded {
  private parts: string[] = [];
  private size = 0;

  add(result: unknown) {
    const text = JSON.stringify(result);
    this.size += text.length;
    if (this.size > MAX_BYTES) throw new HttpError(507, `response is too large (max is ${MAX_BYTES} bytes)`);
    this.parts.push(text);
  }

  single(): string {
    return this.parts[0]!;
  }

  batch(): string {
    return `{"results":[${this.parts.join(',')}]}`;
  }
}

/** Runs the request on one session; resolves with the response body, encoded. */
async function execute(pool: Sessions, arrays: ArrayTypes, payload: QueryData | QueryData[], headers: Headers): Promise<string> {
  return pool.run(async (conn) => {
    const encoded = new Encoded();
    if (!Array.isArray(payload)) {
      encoded.add(await resultJson(await conn.query(payload.query, payload.params), payload, headers, conn, arrays));
      return encoded.single();
    }
    const modes = [
      headers.isolation && ` ISOLATION LEVEL ${ISOLATION[headers.isolation]}`,
      headers.readOnly && ' READ ONLY',
      headers.deferrable && ' DEFERRABLE',
    ].filter(Boolean);
    await conn.simple(`START TRANSACTION${modes.join(',')}`);
    try {
      for (const q of payload) encoded.add(await resultJson(await conn.query(q.query, q.params), q, headers, conn, arrays));
      await conn.simple('COMMIT');
      return encoded.batch();
    } catch (err) {
      if (!conn.broken && conn.txStatus !== 'I') await conn.simple('ROLLBACK').catch(() => conn.close());
      throw err;
    }
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, pool: Sessions, served: URL, arrays: ArrayTypes) {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/sql' && req.method === 'OPTIONS') {
    res.writeHead(200, {
      Allow: 'OPTIONS, POST',
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': 'Authorization, Neon-Connection-String, Neon-Raw-Text-Output, Neon-Array-Mode, Neon-Pool-Opt-In, Neon-Batch-Read-Only, Neon-Batch-Isolation-Level',
      'Access-Control-Max-Age': '86400',
    });
    res.end();
    return;
  }
  if (path !== '/sql' || req.method !== 'POST') {
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify('query is not supported'));
    return;
  }
  try {
    checkConnectionString(req, served);
    const headers = parseHeaders(req);
    const payload = parsePayload(await readBody(req));
    const out = await execute(pool, arrays, payload, headers);
    const echo: Record<string, string> = {};
    if (Array.isArray(payload)) {
      if (headers.readOnly) echo['Neon-Batch-Read-Only'] = 'true';
      if (headers.deferrable) echo['Neon-Batch-Deferrable'] = 'true';
      if (headers.isolation) echo['Neon-Batch-Isolation-Level'] = headers.isolation;
    }
    send(res, 200, undefined, echo, out);
  } catch (err) {
    const { status, body } = errorBody(err);
    send(res, status, body);
  }
}

/** Requests on the embedded database's one session, in-process: no socket, no startup per request. */
function embeddedSessions(session: PgliteSession): Sessions {
  return {
    run: (work) =>
      session.run(async (owner) => {
        const conn = PgConnection.over(session.stream(owner));
        try {
          return await work(conn);
        } finally {
          conn.close();
        }
      }),
    end: async () => undefined,
  };
}

/** Starts the endpoint in front of the given database. */
export async function startNeonHttp(opts: NeonHttpOptions): Promise<NeonHttpEndpoint> {
  const served = new URL(opts.databaseUrl);
  const pool: Sessions = opts.session ? embeddedSessions(opts.session) : new PgPool(served, opts.maxSessions);
  const arrays = new ArrayTypes();
  const server: Server = createServer((req, res) => void handle(req, res, pool, served, arrays));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sql`,
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
