/** One item of a 422 `detail` array (FastAPI-style validation error). */
interface ValidationItem {
  msg?: unknown;
  loc?: unknown;
}

/** Where the first `loc` element names the request part rather than a field. */
const REQUEST_PARTS: Record<string, string> = {
  body: 'Request body',
  query: 'Query',
  path: 'Address',
  header: 'Header',
};

function fieldLabel(loc: unknown): string | null {
  if (!Array.isArray(loc) || loc.length === 0) return null;
  const [part, ...path] = loc;
  if (path.length === 0) return typeof part === 'string' ? (REQUEST_PARTS[part] ?? humanise(part)) : null;
  const names: string[] = [];
  for (const p of path) {
    if (typeof p === 'number') names.push(`item ${p + 1}`);
    else names.push(humanise(String(p)));
  }
  return names.join(', ');
}

function humanise(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * Turns the API's `detail` into text a merchant can read: business errors are already
 * sentences; validation errors become "Field: message." per problem.
 */
export function formatDetail(detail: unknown, status?: number): string {
  if (typeof detail === 'string' && detail.trim()) return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    const lines = detail.map((item: ValidationItem) => {
      const msg = typeof item?.msg === 'string' ? item.msg : 'Invalid value';
      const field = fieldLabel(item?.loc);
      return field ? `${field}: ${sentence(msg)}` : sentence(msg);
    });
    return [...new Set(lines)].join(' ');
  }
  return fallbackMessage(status);
}

function fallbackMessage(status?: number): string {
  if (status === undefined || status === 0) return 'Could not reach SourcePilot. Check your connection and try again.';
  if (status >= 500) return `SourcePilot is having trouble right now (error ${status}). Please try again in a moment.`;
  return `The request failed (error ${status}).`;
}

/** A failed API call; `message` is ready to show to the user. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, detail: unknown) {
    super(formatDetail(detail, status));
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong. Please try again.';
}
