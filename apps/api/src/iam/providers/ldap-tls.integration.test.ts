import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../../server.js';
import { bearer, startTestApi } from '../../testing/api.js';
import { createTestDatabase } from '../../testing/database.js';
import { LDAP_READER_DN, LDAP_SUFFIX, startTestDirectory, type TestDirectory } from '../../testing/slapd.js';
import { waitFor } from '../../testing/wait-for.js';

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});

describe('LDAP over TLS (StartTLS and LDAPS) against a real slapd with a certificate made for the run', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let directory: TestDirectory;
  let certificate: string;
  let admin: string;

  const configure = async (id: string, config: Record<string, unknown>) => {
    const response = await fetch(`${api.url}/v1/iam/providers`, json({
      id, kind: 'LDAP', displayName: id,
      config: {
        host: 'localhost', bindDn: LDAP_READER_DN, bindPassword: directory.readerPassword,
        userSearchBase: `ou=people,${LDAP_SUFFIX}`, groupSearchBase: `ou=groups,${LDAP_SUFFIX}`, ...config,
      },
    }, { authorization: admin }));
    expect(response.status).toBe(201);
  };
  const check = async (id: string) =>
    (await (await fetch(`${api.url}/v1/iam/providers/${id}/test`, { method: 'POST', headers: { authorization: admin } })).json()) as { ok: boolean; message: string };

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048, algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    certificate = pems.cert;
    directory = await startTestDirectory([{ uid: 'alice', password: 'alice-directory-pw' }], { 'team-a': ['alice'] }, { certificate: pems.cert, privateKey: pems.private });
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    await waitFor('leadership', () => api.isLeader());
    admin = await bearer(api.url);
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
    await directory?.close();
  });

  it('connects with StartTLS and with LDAPS when the certificate is trusted', async () => {
    await configure('starttls', { port: directory.port, security: 'starttls', caCertificate: certificate });
    await configure('ldaps', { port: directory.ldapsPort, security: 'ldaps', caCertificate: certificate });
    expect(await check('starttls')).toEqual({ ok: true, message: 'connected; 1 user(s) under the user search base' });
    expect(await check('ldaps')).toEqual({ ok: true, message: 'connected; 1 user(s) under the user search base' });
    expect((await fetch(`${api.url}/v1/auth/login`, json({ uid: 'alice', password: 'alice-directory-pw' }))).status).toBe(200);
  });

  it('refuses a directory whose certificate it cannot trust, saying so', async () => {
    await configure('untrusted', { port: directory.ldapsPort, security: 'ldaps' });
    const result = await check('untrusted');
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^the directory's TLS certificate is not trusted .*set caCertificate/);
  });
});
