import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The local cluster's secrets, made on first start and kept in GANTRY_HOME/secrets
 * (0700, files 0600): the agents' join token and the console's session key. The admin
 * password is made once too, but never stored: it is printed at first start only.
 */
export interface LocalSecrets {
  agentToken: string;
  sessionSecret: string;
  /** Set on the very first start only, for the banner. */
  firstAdminPassword: string | null;
}

export async function localSecrets(home: string, adminPasswordFromEnv: string | undefined): Promise<LocalSecrets> {
  const dir = join(home, 'secrets');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const firstStart = !existsSync(join(dir, 'agent-token'));
  return {
    agentToken: await readOrCreate(join(dir, 'agent-token'), 32),
    sessionSecret: await readOrCreate(join(dir, 'session-secret'), 32),
    firstAdminPassword: firstStart && !adminPasswordFromEnv ? randomBytes(12).toString('base64url') : null,
  };
}

async function readOrCreate(file: string, bytes: number): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(bytes).toString('base64url');
  await writeFile(file, secret + '\n', { mode: 0o600 });
  return secret;
}
