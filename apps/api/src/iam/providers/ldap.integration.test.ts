import { Change, Attribute } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../db/prisma.js';
import type { RunningApi } from '../../server.js';
import { bearer, startTestApi, TEST_ADMIN_PASSWORD } from '../../testing/api.js';
import { createTestDatabase } from '../../testing/database.js';
import { LDAP_READER_DN, LDAP_SUFFIX, startTestDirectory, type TestDirectory } from '../../testing/slapd.js';
import { waitFor } from '../../testing/wait-for.js';
import { IamRepository } from '../repository.js';

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});

describe('LDAP login against a real OpenLDAP (slapd) and a real API', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let prisma: Db;
  let directory: TestDirectory;
  let admin: string;

  const login = (uid: string, password: string) => fetch(`${api.url}/v1/auth/login`, json({ uid, password }));
  const groupsOf = async (uid: string) => (await prisma.groupMember.findMany({ where: { uid }, orderBy: { gid: 'asc' } })).map((m) => m.gid);

  beforeAll(async () => {
    directory = await startTestDirectory(
      [{ uid: 'alice', password: 'alice-directory-pw' }, { uid: 'bob', password: 'bob-directory-pw' }],
      { 'team-a': ['alice'], 'team-b': ['bob'] },
    );
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    await waitFor('leadership', () => api.isLeader());
    prisma = createDb(db.url);
    admin = await bearer(api.url);
    // Members of the directory's team-a may read nodes; nobody else from the directory may.
    await new IamRepository(prisma).grant({ kind: 'GROUP', id: 'team-a' }, { resource: 'gantry:node', action: 'read' });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await api?.close();
    await db?.drop();
    await directory?.close();
  });

  it('lets an administrator configure the directory, never showing the bind password, and test the connection', async () => {
    const created = await fetch(`${api.url}/v1/iam/providers`, json({
      id: 'corp', kind: 'LDAP', displayName: 'Corporate directory',
      config: {
        host: '127.0.0.1', port: directory.port, security: 'none', bindDn: LDAP_READER_DN, bindPassword: directory.readerPassword,
        userSearchBase: `ou=people,${LDAP_SUFFIX}`, userSearchFilter: '(objectClass=inetOrgPerson)',
        groupSearchBase: `ou=groups,${LDAP_SUFFIX}`,
      },
    }, { authorization: admin }));
    expect(created.status).toBe(201);
    const view = await created.json();
    expect(view).toMatchObject({ id: 'corp', kind: 'LDAP', secretsSet: ['bindPassword'], config: { uidAttribute: 'uid', groupMemberAttribute: 'member' } });
    const listed = await (await fetch(`${api.url}/v1/iam/providers`, { headers: { authorization: admin } })).text();
    expect(listed).not.toContain(directory.readerPassword);
    expect(JSON.stringify(view)).not.toContain(directory.readerPassword);

    const test = await fetch(`${api.url}/v1/iam/providers/corp/test`, { method: 'POST', headers: { authorization: admin } });
    expect(await test.json()).toEqual({ ok: true, message: 'connected; 2 user(s) under the user search base' });

    const invalid = await fetch(`${api.url}/v1/iam/providers`, json({ id: 'Bad Id', kind: 'LDAP', displayName: '', config: { host: 'x', port: 0, security: 'none', userSearchBase: 'dc=x', userSearchFilter: 'uid=*' } }, { authorization: admin }));
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { details: { path: string }[] }).details.map((d) => d.path)).toEqual(['/config/port', '/config/userSearchFilter', '/displayName', '/id']);
  });

  it('logs alice in with her directory password, imports her group, and the group grant applies to her', async () => {
    const response = await login('alice', 'alice-directory-pw');
    expect(response.status).toBe(200);
    const token = `Bearer ${((await response.json()) as { token: string }).token}`;
    expect(await groupsOf('alice')).toEqual(['team-a']);
    const user = await prisma.user.findUnique({ where: { uid: 'alice' } });
    expect(user).toMatchObject({ provider: 'LDAP', passwordHash: null }); // the password is never stored
    expect((await fetch(`${api.url}/v1/nodes`, { headers: { authorization: token } })).status).toBe(200);

    const bob = await bearer(api.url, 'bob', 'bob-directory-pw');
    expect(await groupsOf('bob')).toEqual(['team-b']);
    expect((await fetch(`${api.url}/v1/nodes`, { headers: { authorization: bob } })).status).toBe(403);
  });

  it('answers a wrong directory password, an unknown user and a filter injection exactly like a wrong local password', async () => {
    const answers = await Promise.all([
      login('alice', 'wrong'), login('nobody', 'x'), login('*', 'alice-directory-pw'), login('alice)(uid=*', 'alice-directory-pw'), login('admin', 'wrong'),
    ]);
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(new Set(bodies.map((b) => JSON.stringify(b)))).toEqual(new Set([JSON.stringify({ message: 'invalid uid or password' })]));
  });

  it('syncs group memberships from the directory on every login', async () => {
    await directory.asRoot(async (client) => {
      // alice moves from team-a to team-b (a groupOfNames cannot be empty: bob takes her place).
      await client.modify(`cn=team-b,ou=groups,${LDAP_SUFFIX}`, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`uid=alice,ou=people,${LDAP_SUFFIX}`] }) }));
      await client.modify(`cn=team-a,ou=groups,${LDAP_SUFFIX}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'member', values: [`uid=bob,ou=people,${LDAP_SUFFIX}`] }) }));
    });
    expect((await login('alice', 'alice-directory-pw')).status).toBe(200);
    expect(await groupsOf('alice')).toEqual(['team-b']);
    const alice = await bearer(api.url, 'alice', 'alice-directory-pw');
    expect((await fetch(`${api.url}/v1/nodes`, { headers: { authorization: alice } })).status).toBe(403); // team-a's grant no longer applies
  });

  it('keeps local users logging in when the directory is down, and tells directory users why they cannot', async () => {
    await directory.stop();
    try {
      expect((await login('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
      const alice = await login('alice', 'alice-directory-pw');
      expect(alice.status).toBe(503);
      expect(await alice.json()).toEqual({
        message: 'the directory "Corporate directory" is unavailable: the directory refused the connection (is the LDAP server running, host and port right?)',
      });
      const test = await fetch(`${api.url}/v1/iam/providers/corp/test`, { method: 'POST', headers: { authorization: admin } });
      expect(await test.json()).toMatchObject({ ok: false, message: expect.stringMatching(/refused the connection/) });
    } finally {
      await directory.start();
    }
    expect((await login('alice', 'alice-directory-pw')).status).toBe(200);
  });

  it('refuses provider administration without a grant on gantry:iam', async () => {
    const bob = await bearer(api.url, 'bob', 'bob-directory-pw');
    const response = await fetch(`${api.url}/v1/iam/providers`, { headers: { authorization: bob } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'forbidden: no grant of read on gantry:iam:providers' });
  });
});
