import { describe, expect, it } from 'vitest';
import { artifactFromUri, artifactSchema, fetchUriProblem } from './artifact.js';
import { parseWith } from './validation.js';

describe('fetchUriProblem', () => {
  it.each(['/opt/app.tgz', 'relative/run.sh', 'file:///srv/app.zip', 'http://example.com/a', 'HTTPS://example.com/a?b=c#d'])('fetches %j', (uri) => {
    expect(fetchUriProblem(uri)).toBeUndefined();
  });

  it.each([
    ['hdfs://namenode/app.jar', 'the scheme "hdfs:" is not supported: use a local path, a file://, http:// or https:// URI'],
    ['s3://bucket/key', 'the scheme "s3:" is not supported'],
    ['ftp://example.com/x', 'the scheme "ftp:" is not supported'],
    ['docker://nginx', 'the scheme "docker:" is not supported'],
    ['http://', '"http://" is not a valid URI'],
    ['https://exa mple.com/', '"https://exa mple.com/" is not a valid URI'],
  ])('refuses %j', (uri, message) => {
    expect(fetchUriProblem(uri)?.startsWith(message)).toBe(true);
  });
});

describe('artifactFromUri', () => {
  it.each([
    ['http://example.com/app.tar.gz', true],
    ['http://example.com/app.tgz?version=2', true],
    ['/opt/app.zip', true],
    ['/opt/app.tar.xz#x', true],
    ['/opt/app.jar', false],
    ['http://example.com/app.zip.sig', false],
  ])('extracts %j: %j', (uri, extract) => {
    expect(artifactFromUri(uri)).toEqual({ uri, extract, executable: false, cache: false });
  });
});

describe('artifactSchema', () => {
  it('keeps every field it is given', () => {
    const artifact = { uri: 'https://example.com/archive.zip', executable: false, extract: true, cache: true, destPath: 'newname.zip' };
    expect(parseWith(artifactSchema('reject'), artifact, [])).toEqual({ ok: true, value: artifact });
  });

  it('refuses an unsupported scheme at the uri', () => {
    expect(parseWith(artifactSchema('reject'), { uri: 'hdfs://x/y' }, ['fetch', 2])).toEqual({
      ok: false,
      problems: [{ path: ['fetch', 2, 'uri'], message: expect.stringContaining('the scheme "hdfs:" is not supported') }],
    });
  });
});
