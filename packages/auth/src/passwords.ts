import { hash, verify } from '@node-rs/argon2';

/**
 * Local passwords: argon2id with OWASP's recommended parameters (m = 19 MiB, t = 2,
 * p = 1). The hash string carries its parameters, so raising them later only affects
 * new hashes.
 */
const OWASP = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 /* Argon2id */ } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OWASP);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of nothing anybody knows, verified against when the user does not exist, so
 * that "unknown user" and "wrong password" take the same time and give the same answer.
 */
let decoy: Promise<string> | null = null;
export async function verifyDecoy(password: string): Promise<false> {
  decoy ??= hashPassword(`decoy-${Math.random()}`);
  await verifyPassword(await decoy, password);
  return false;
}
