import { describe, expect, it } from 'vitest';
import { artifactPlan } from './fetch-plan.js';

const plan = (uri: string, over: { extract?: boolean; executable?: boolean; destPath?: string } = {}) =>
  artifactPlan({ uri, extract: over.extract ?? true, executable: over.executable ?? false, ...(over.destPath ? { destPath: over.destPath } : {}) });

describe('what fetching an artifact means', () => {
  it('copies local paths and file:// URIs, downloads http(s), names the file after the last segment', () => {
    expect(plan('/opt/bin/tool')).toEqual({ ok: true, source: { kind: 'file', path: '/opt/bin/tool' }, file: 'tool', extract: false, archive: null, executable: false });
    expect(plan('file:///srv/my%20app.tgz')).toMatchObject({ ok: true, source: { kind: 'file', path: '/srv/my app.tgz' }, file: 'my app.tgz', extract: true, archive: 'tar' });
    expect(plan('https://example.com/dl/app.zip?token=1')).toMatchObject({ ok: true, source: { kind: 'http' }, file: 'app.zip', archive: 'zip' });
  });

  it('extracts only archives, and only when asked', () => {
    expect(plan('http://h/a.tar.xz')).toMatchObject({ extract: true, archive: 'tar' });
    expect(plan('http://h/a.tar.xz', { extract: false })).toMatchObject({ extract: false, archive: 'tar' });
    expect(plan('http://h/run.sh', { executable: true })).toMatchObject({ extract: false, executable: true });
  });

  it('keeps every file inside the sandbox and refuses other schemes', () => {
    expect(plan('http://h/a', { destPath: 'bin/a' })).toMatchObject({ ok: true, file: 'bin/a' });
    expect(plan('http://h/a', { destPath: '../../etc/passwd' })).toEqual({ ok: false, error: 'http://h/a: destPath "../../etc/passwd" escapes the sandbox' });
    expect(plan('http://h/a', { destPath: '/etc/passwd' }).ok).toBe(false);
    expect(plan('ftp://h/a')).toEqual({ ok: false, error: 'ftp://h/a: only local paths, file:// and http(s):// URIs can be fetched' });
    expect(plan('http://h/')).toEqual({ ok: false, error: 'http://h/ names no file; give the artifact a destPath' });
  });
});
