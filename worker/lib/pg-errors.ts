/** The Postgres error behind a driver or drizzle error (drizzle wraps it in `cause`). */
export function pgError(err: unknown): { code: string; constraint?: string } | null {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      const constraint = (e as { constraint?: unknown }).constraint;
      return { code, constraint: typeof constraint === 'string' ? constraint : undefined };
    }
  }
  return null;
}

/** A unique violation, optionally on one named index or constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = pgError(err);
  return pg?.code === '23505' && (!constraint || pg.constraint === constraint);
}

/** Serialization failures and deadlocks: the statement can simply run again. */
export const isTransient = (err: unknown) => ['40001', '40P01'].includes(pgError(err)?.code ?? '');

/**
 * Runs a single-statement write again while `retry(err)` says the failure was a lost
 * race (each run sees the rows the winner committed). Bounded; the last error escapes.
 */
export async function retryRace<T>(run: () => Promise<T>, retry: (err: unknown) => boolean, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (i >= attempts || !(retry(err) || isTransient(err))) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * i));
    }
  }
}
