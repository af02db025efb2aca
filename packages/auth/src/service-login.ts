import { importSPKI, jwtVerify } from 'jose';

/**
 * Service-account login, as DC/OS does it: the account proves it holds its RSA private
 * key by sending a short-lived JWT `{uid, exp}` signed with it; the API checks it with
 * the public key stored for the account and answers with an ordinary Gantry token.
 * Tokens valid for longer than `maxLifetimeSeconds` are refused, which bounds replay.
 */
export const SERVICE_LOGIN_MAX_LIFETIME_SECONDS = 15 * 60;

export async function verifyServiceLoginToken(token: string, publicKeyPem: string, uid: string, now: Date): Promise<boolean> {
  try {
    const key = await importSPKI(publicKeyPem, 'RS256');
    const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], currentDate: now, requiredClaims: ['exp'] });
    const nowSeconds = Math.floor(now.getTime() / 1000);
    return payload.uid === uid && payload.exp! - nowSeconds <= SERVICE_LOGIN_MAX_LIFETIME_SECONDS;
  } catch {
    return false;
  }
}

/** True when `pem` is an RSA public key in SPKI PEM form (what `openssl rsa -pubout` writes). */
export async function isRsaPublicKey(pem: string): Promise<boolean> {
  try {
    await importSPKI(pem, 'RS256');
    return true;
  } catch {
    return false;
  }
}
