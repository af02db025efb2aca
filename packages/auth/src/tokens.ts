import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, jwtVerify, SignJWT, createLocalJWKSet, errors, type JWK } from 'jose';

/**
 * API tokens: RS256 JWTs issued by the API (the one identity authority), verifiable
 * offline by anyone holding the public keys from `/v1/auth/jwks`. Several signing keys
 * may be live at once: the newest signs, older ones still verify until their tokens
 * have expired — key rotation without logging anybody out.
 */
export const ISSUER = 'gantry';
export const AUDIENCE = 'gantry';
const ALG = 'RS256';

export interface SigningKey {
  kid: string;
  privatePem: string;
  publicJwk: JWK;
}

export async function generateSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  return { kid, privatePem: await exportPKCS8(privateKey), publicJwk };
}

export type SubjectKind = 'user' | 'service';

export interface TokenClaims {
  /** The subject's uid. */
  sub: string;
  kind: SubjectKind;
  jti: string;
  exp: number;
}

export async function issueToken(key: SigningKey, subject: { uid: string; kind: SubjectKind }, jti: string, nowSeconds: number, ttlSeconds: number): Promise<string> {
  const privateKey = await importPKCS8(key.privatePem, ALG);
  return new SignJWT({ kind: subject.kind })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(subject.uid)
    .setJti(jti)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ttlSeconds)
    .sign(privateKey);
}

export type Verified = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

/**
 * Verifies signature (RS256 only: `alg:none` and HMAC confusion are refused), issuer,
 * audience and expiry at `now`.
 */
export async function verifyToken(token: string, publicKeys: readonly JWK[], now: Date): Promise<Verified> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [...publicKeys] }), {
      algorithms: [ALG], issuer: ISSUER, audience: AUDIENCE, currentDate: now, requiredClaims: ['sub', 'jti', 'exp'],
    });
    const kind = payload.kind === 'service' ? 'service' : payload.kind === 'user' ? 'user' : null;
    if (!kind) return { ok: false, reason: 'token has no subject kind' };
    return { ok: true, claims: { sub: payload.sub!, kind, jti: payload.jti!, exp: payload.exp! } };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'token expired' };
    return { ok: false, reason: 'token is not valid' };
  }
}
