import { z } from 'zod';

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether Postgres can store the string (text rejects NUL; jsonb rejects unpaired surrogates). */
export const storable = (s: string) => !NUL.test(s) && !LONE_SURROGATE.test(s);

/**
 * A string Postgres can store as text and inside jsonb: without this check a NUL byte
 * or an unpaired surrogate from a client reaches the database and comes back as a 500.
 */
export const storableString = () => z.string().refine(storable, { message: 'Text must not contain NUL characters or unpaired surrogates' });
