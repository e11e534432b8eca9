export type Level = 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

/** One JSON line: `level`, `msg`, then the fields (what log search filters on). */
function write(level: Level, msg: string, fields: Fields = {}): void {
  // Looked up at call time, so a spy installed on console sees the line.
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'info') console.log(line);
  else if (level === 'warn') console.warn(line);
  else console.error(line);
}

export const log = {
  info: (msg: string, fields?: Fields) => write('info', msg, fields),
  warn: (msg: string, fields?: Fields) => write('warn', msg, fields),
  error: (msg: string, fields?: Fields) => write('error', msg, fields),
  /** For lines whose level depends on the outcome (a 5xx request, a batch with crashes). */
  at: write,
};

/**
 * What a log line may say about an error. Drizzle's message carries the statement's
 * parameters (password hashes, keys) after `\nparams:`, so that part never goes out; a
 * wrapper's driver cause is what explains the failure, so it is reported instead.
 */
export function describeError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? `${cause.name}: ${redact(cause.message)}` : redact(String(cause));
}

/** A message without drizzle's parameter list. */
const redact = (message: string) => message.split('\nparams:')[0];

/**
 * An unexpected error in full for the 500 log line: the redacted description, the
 * driver's error code when there is one, and the first stack frames.
 */
export function errorDetails(err: unknown): { error: string; code?: string; stack?: string } {
  if (!(err instanceof Error)) return { error: describeError(err) };
  const code = err.cause instanceof Error ? (err.cause as { code?: string }).code : undefined;
  return {
    error: describeError(err),
    ...(code ? { code } : {}),
    stack: (err.stack ?? '').split('\n').filter((l) => l.trim().startsWith('at ')).slice(0, 8).join('\n'),
  };
}
