const KIB = 1024;
const MIB = 1024 * KIB;

/** A byte count as people write limits: "4 MiB", "512 KiB". */
export const describeBytes = (n: number) => (n >= MIB && n % MIB === 0 ? `${n / MIB} MiB` : n >= KIB && n % KIB === 0 ? `${n / KIB} KiB` : `${n} bytes`);

/** A response body past the reader's limit; the message names the limit. */
export class BodyTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`the response body is larger than ${describeBytes(limitBytes)}`);
    this.name = 'BodyTooLarge';
  }
}

/** Refuses before reading when Content-Length already says the body is over the limit. */
async function refuseDeclaredOver(res: Response, limitBytes: number) {
  if (Number(res.headers.get('Content-Length') ?? NaN) > limitBytes) {
    await res.body?.cancel();
    throw new BodyTooLarge(limitBytes);
  }
}

/**
 * A response body as text, streamed and abandoned as soon as it passes `limitBytes`
 * (or when Content-Length already says it will), so a hostile or broken server cannot
 * make the isolate buffer more than each call site allows. Throws BodyTooLarge.
 */
export async function readBoundedText(res: Response, limitBytes: number): Promise<string> {
  await refuseDeclaredOver(res, limitBytes);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let total = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel();
      throw new BodyTooLarge(limitBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * fetch whose responses error with BodyTooLarge once their body passes `limitBytes`, for
 * clients that read bodies themselves (the Stripe SDK's fetch HTTP client).
 */
export function boundedFetch(limitBytes: number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    await refuseDeclaredOver(res, limitBytes);
    if (!res.body) return res;
    let total = 0;
    const limiter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > limitBytes) controller.error(new BodyTooLarge(limitBytes));
        else controller.enqueue(chunk);
      },
    });
    return new Response(res.body.pipeThrough(limiter), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
