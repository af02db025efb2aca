import { SignJWT, base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, issueToken, verifyToken, type SigningKey } from './tokens.js';

describe('tokens', () => {
  let key: SigningKey;
  let other: SigningKey;
  const now = 1_800_000_000;
  beforeAll(async () => {
    [key, other] = await Promise.all([generateSigningKey('k1'), generateSigningKey('k2')]);
  });

  it('verifies what it issued, with the subject and expiry', async () => {
    const token = await issueToken(key, { uid: 'alice', kind: 'user' }, 'j1', now, 3600);
    expect(await verifyToken(token, [key.publicJwk], new Date(now * 1000))).toEqual({
      ok: true, claims: { sub: 'alice', kind: 'user', jti: 'j1', exp: now + 3600 },
    });
  });

  it('keeps verifying old tokens after a new key starts signing (rotation)', async () => {
    const old = await issueToken(key, { uid: 'alice', kind: 'user' }, 'j1', now, 3600);
    expect((await verifyToken(old, [other.publicJwk, key.publicJwk], new Date(now * 1000))).ok).toBe(true);
  });

  it('refuses expired, wrong-key, tampered and alg:none tokens', async () => {
    const token = await issueToken(key, { uid: 'alice', kind: 'user' }, 'j1', now, 60);
    const at = new Date(now * 1000);
    expect(await verifyToken(token, [key.publicJwk], new Date((now + 61) * 1000))).toEqual({ ok: false, reason: 'token expired' });
    expect((await verifyToken(token, [other.publicJwk], at)).ok).toBe(false);

    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...claims, sub: 'admin' }))}.${signature}`;
    expect((await verifyToken(tampered, [key.publicJwk], at)).ok).toBe(false);

    const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid: 'k1' }))}.${payload}.`;
    expect((await verifyToken(none, [key.publicJwk], at)).ok).toBe(false);

    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode('secret'));
    expect((await verifyToken(hmac, [key.publicJwk], at)).ok).toBe(false);
  });
});
