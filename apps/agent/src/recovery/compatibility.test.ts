import { describe, expect, it } from 'vitest';
import { identityMismatch, type Identity } from './compatibility.js';

const base: Identity = { resources: { cpus: 2, mem: 1024, disk: 100, ports: [[31000, 31099]] }, attributes: { zone: 'a' } };

describe('identityMismatch', () => {
  it.each<[string, Partial<Identity['resources']>, Identity['attributes'], string | null]>([
    ['unchanged', {}, { zone: 'a' }, null],
    ['free disk moved', { disk: 90 }, { zone: 'a' }, null],
    ['more cpus', { cpus: 4 }, { zone: 'a' }, 'cpus 2 → 4'],
    ['less memory', { mem: 512 }, { zone: 'a' }, 'mem 1024 → 512 MiB'],
    ['other ports', { ports: [[32000, 32099]] }, { zone: 'a' }, 'ports [[31000,31099]] → [[32000,32099]]'],
    ['zone changed, rack added', {}, { zone: 'b', rack: 'r1' }, 'attribute rack (none) → r1, attribute zone a → b'],
  ])('%s', (_what, resources, attributes, expected) => {
    expect(identityMismatch(base, { resources: { ...base.resources, ...resources }, attributes })).toBe(expected);
  });
});
