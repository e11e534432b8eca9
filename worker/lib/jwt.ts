import { SignJWT, jwtVerify } from 'jose';

export type TokenType = 'access' | 'refresh';

const LIFETIME: Record<TokenType, string> = { access: '15m', refresh: '7d' };

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** Signs an HS256 token carrying exactly `sub`, `exp` and `type`. */
export async function signToken(secret: string, userId: string, type: TokenType): Promise<string> {
  return new SignJWT({ type })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setExpirationTime(LIFETIME[type])
    .sign(keyOf(secret));
}

export async function tokenPair(secret: string, userId: string) {
  const [access_token, refresh_token] = await Promise.all([
    signToken(secret, userId, 'access'),
    signToken(secret, userId, 'refresh'),
  ]);
  return { access_token, refresh_token, token_type: 'bearer' as const };
}

export type VerifiedToken = { ok: true; sub: string | undefined } | { ok: false };

/**
 * Verifies signature, expiry and type. jose checks `exp` only when the claim is there,
 * so it is required explicitly: a token without one would never expire. A missing `sub`
 * is reported separately (`sub: undefined`) because the contract answers it with its own
 * 401 detail.
 */
export async function verifyToken(secret: string, token: string, type: TokenType): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], requiredClaims: ['exp', 'type'] });
    if (payload.type !== type) return { ok: false };
    return { ok: true, sub: typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined };
  } catch {
    return { ok: false };
  }
}
