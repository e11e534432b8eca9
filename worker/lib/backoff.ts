/** Exponential backoff for attempt n (1-based): 10 s, 20 s, 40 s … capped at 10 min. */
export const backoffSeconds = (attempt: number) => Math.min(600, 10 * 2 ** Math.max(0, attempt - 1));
