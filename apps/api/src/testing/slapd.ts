import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { waitFor } from './wait-for.js';

/**
 * A real OpenLDAP (Debian's slapd) for tests: a fresh directory loaded with `slapadd`,
 * served on a free loopback port by a foreground slapd this process owns.
 * scripts/ensure-slapd.sh installs slapd when the machine lacks it.
 */

export const LDAP_SUFFIX = 'dc=gantry,dc=test';
export const LDAP_ROOT_DN = `cn=admin,${LDAP_SUFFIX}`;
export const LDAP_READER_DN = `cn=gantry-reader,ou=services,${LDAP_SUFFIX}`;

export interface LdapPerson {
  uid: string;
  password: string;
}

export interface TestDirectory {
  port: number;
  /** The LDAPS port, when started with a TLS certificate. */
  ldapsPort: number | null;
  rootPassword: string;
  readerPassword: string;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Runs `use` bound as the directory's root (to change entries during a test). */
  asRoot: <T>(use: (client: Client) => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
}

/** RFC 2307 {SSHA}: base64(SHA-1(password ‖ salt) ‖ salt). */
function ssha(password: string): string {
  const salt = randomBytes(8);
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `groups`: group cn → member uids (groupOfNames with member DNs). With `tls`, slapd
 * also offers StartTLS on its port and listens for LDAPS on a second one.
 */
export async function startTestDirectory(
  people: LdapPerson[], groups: Record<string, string[]>, tls?: { certificate: string; privateKey: string },
): Promise<TestDirectory> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-slapd-'));
  mkdirSync(join(dir, 'data'));
  const rootPassword = randomBytes(12).toString('hex');
  const readerPassword = randomBytes(12).toString('hex');
  const personDn = (uid: string) => `uid=${uid},ou=people,${LDAP_SUFFIX}`;
  writeFileSync(join(dir, 'slapd.conf'), [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `pidfile ${join(dir, 'slapd.pid')}`,
    // TLS is global: before the database section.
    ...(tls ? [`TLSCertificateFile ${join(dir, 'cert.pem')}`, `TLSCertificateKeyFile ${join(dir, 'key.pem')}`] : []),
    'database mdb',
    'maxsize 10485760',
    `suffix "${LDAP_SUFFIX}"`,
    `rootdn "${LDAP_ROOT_DN}"`,
    `rootpw ${ssha(rootPassword)}`,
    `directory ${join(dir, 'data')}`,
    // Passwords: only binding may use them. Entries: the reader service account reads.
    'access to attrs=userPassword by anonymous auth by self auth by * none',
    `access to * by dn.exact="${LDAP_READER_DN}" read by self read by * none`,
    '',
  ].join('\n'));
  const entries = [
    `dn: ${LDAP_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Gantry tests\ndc: gantry`,
    `dn: ou=people,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ou=groups,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: groups`,
    `dn: ou=services,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: services`,
    `dn: ${LDAP_READER_DN}\nobjectClass: person\ncn: gantry-reader\nsn: reader\nuserPassword: ${ssha(readerPassword)}`,
    ...people.map((p) => `dn: ${personDn(p.uid)}\nobjectClass: inetOrgPerson\nuid: ${p.uid}\ncn: ${p.uid}\nsn: ${p.uid}\nuserPassword: ${ssha(p.password)}`),
    ...Object.entries(groups).map(([cn, members]) =>
      `dn: cn=${cn},ou=groups,${LDAP_SUFFIX}\nobjectClass: groupOfNames\ncn: ${cn}\n${members.map((uid) => `member: ${personDn(uid)}`).join('\n')}`),
  ];
  writeFileSync(join(dir, 'data.ldif'), entries.join('\n\n') + '\n');
  if (tls) {
    writeFileSync(join(dir, 'cert.pem'), tls.certificate);
    writeFileSync(join(dir, 'key.pem'), tls.privateKey, { mode: 0o600 });
  }
  const load = spawnSync('slapadd', ['-f', join(dir, 'slapd.conf'), '-l', join(dir, 'data.ldif')], { encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`slapadd failed (is slapd installed? scripts/ensure-slapd.sh): ${load.stderr || load.error?.message}`);

  const port = await freePort();
  const ldapsPort = tls ? await freePort() : null;
  let slapd: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const asRoot = async <T>(use: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ url: `ldap://127.0.0.1:${port}`, connectTimeout: 2000, timeout: 2000 });
    try {
      await client.bind(LDAP_ROOT_DN, rootPassword);
      return await use(client);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };

  const start = async () => {
    // -d 0: stay in the foreground, so this process owns slapd and can stop it.
    const urls = [`ldap://127.0.0.1:${port}/`, ...(ldapsPort ? [`ldaps://127.0.0.1:${ldapsPort}/`] : [])].join(' ');
    const child = spawn('slapd', ['-f', join(dir, 'slapd.conf'), '-h', urls, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    slapd = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitFor(`slapd on port ${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}`);
      return asRoot(async () => true);
    }, 10_000);
  };

  const stop = async () => {
    slapd?.kill('SIGTERM');
    await exited;
    slapd = null;
  };

  await start();
  return {
    port, ldapsPort, rootPassword, readerPassword, start, stop, asRoot,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
