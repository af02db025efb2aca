import { describe, expect, it } from 'vitest';
import { compareVersions, comparePackageVersions } from './versions.js';

describe('version ordering (Cosmos relaxed SemVer; Universe release versions first)', () => {
  it.each([
    ['1.0.0', '1.0.1'],
    ['1.9', '1.10'],
    ['1', '1.0.1'],
    ['1.0.0-alpha', '1.0.0'],
    ['1.0.0-alpha', '1.0.0-alpha.1'],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta'],
    ['1.0.0-2', '1.0.0-10'],
    ['2.3.0-3.0.16', '2.4.0-3.0.16'],
    ['16-1', '16-2'],
    ['9.9.9', 'stable'],
  ])('%s < %s', (older, newer) => {
    expect(compareVersions(older, newer)).toBeLessThan(0);
    expect(compareVersions(newer, older)).toBeGreaterThan(0);
  });

  it('ignores build metadata; release version decides before the version string', () => {
    expect(compareVersions('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
    expect(comparePackageVersions({ releaseVersion: 2, version: '1.0.0' }, { releaseVersion: 1, version: '9.0.0' })).toBeGreaterThan(0);
  });
});
