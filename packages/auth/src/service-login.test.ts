import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRsaPublicKey, verifyServiceLoginToken } from './service-login.js';

describe('service-account login tokens', () => {
  const now = new Date(1_800_000_000_000);
  const seconds = now.getTime() / 1000;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let other: Awaited<ReturnType<typeof generateKeyPair>>;
  let publicPem: string;
  beforeAll(async () => {
    [keys, other] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256')]);
    publicPem = await exportSPKI(keys.publicKey);
  });
  const sign = (claims: Record<string, unknown>, key = keys.privateKey) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(key);

  it('accepts a short-lived token for the account, signed with its key', async () => {
    expect(await verifyServiceLoginToken(await sign({ uid: 'ci-bot', exp: seconds + 60 }), publicPem, 'ci-bot', now)).toBe(true);
  });

  it.each([
    ['another account', { uid: 'other', exp: seconds + 60 }],
    ['an expired token', { uid: 'ci-bot', exp: seconds - 1 }],
    ['no expiry', { uid: 'ci-bot' }],
    ['a lifetime over 15 minutes', { uid: 'ci-bot', exp: seconds + 16 * 60 }],
  ])('refuses %s', async (_, claims) => {
    expect(await verifyServiceLoginToken(await sign(claims), publicPem, 'ci-bot', now)).toBe(false);
  });

  it('refuses a token signed with another key', async () => {
    expect(await verifyServiceLoginToken(await sign({ uid: 'ci-bot', exp: seconds + 60 }, other.privateKey), publicPem, 'ci-bot', now)).toBe(false);
  });

  it('recognises an RSA public key', async () => {
    expect(await isRsaPublicKey(publicPem)).toBe(true);
    expect(await isRsaPublicKey('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----')).toBe(false);
  });
});
