import { describe, expect, it } from 'vitest';
import { formatPackageError } from './package-files.js';
import { validatePackage } from './validate-package.js';

const manifest = { packagingVersion: '4.0', name: 'demo', version: '1.0.0', maintainer: 'me', description: 'A demo', tags: ['x'] };
const template = '{ "id": "/demo", "cmd": "sleep 1", "cpus": 0.1, "mem": 32 }';

describe('validatePackage', () => {
  it('accepts the Universe layout and fills package.json defaults', () => {
    const r = validatePackage({ 'package.json': JSON.stringify(manifest), 'marathon.json.mustache': template }, 3);
    expect(r.ok).toBe(true);
    expect(r.ok && r.package).toMatchObject({ name: 'demo', selected: false, framework: false, releaseVersion: 3, config: null, template: { kind: 'marathon' }, gantry: { requires: [], binaries: [] } });
  });

  it('names the file and the field of every problem at once', () => {
    const r = validatePackage({
      'package.json': JSON.stringify({ ...manifest, name: 'Demo', tags: ['a b'], color: 'red' }),
      'config.json': JSON.stringify({ type: 'object', properties: { port: { type: 'integer', default: 'x' } } }),
      'resource.json': JSON.stringify({ assets: { uris: { a: 1 } } }),
      'marathon.json.mustache': template,
      'notes.txt': 'hi',
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map(formatPackageError)).toEqual([
      'notes.txt: not a file of a package (expected package.json, config.json, resource.json, marathon.json.mustache, stateful.json.mustache)',
      'package.json: Unrecognized key: "color"',
      'package.json /name: package names are lower-case letters, digits and "-" (e.g. "postgresql")',
      'package.json /tags/0: tags have no spaces',
      'config.json /properties/port: the default is not valid: must be integer',
      'resource.json /assets/uris/a: Invalid input: expected string, received number',
    ]);
  });

  it('says where a file is not JSON, and refuses a missing, double or broken template', () => {
    const broken = validatePackage({ 'package.json': '{\n  "name": "demo",\n  "version" "1"\n}' });
    expect(!broken.ok && broken.errors.map(formatPackageError)).toEqual([
      'package.json: not valid JSON at line 3, column 13: expected ":" after the property name, found "\\""',
      'marathon.json.mustache: a package needs a template: marathon.json.mustache or stateful.json.mustache',
    ]);
    const two = validatePackage({ 'package.json': JSON.stringify(manifest), 'marathon.json.mustache': template, 'stateful.json.mustache': '{}' });
    expect(!two.ok && two.errors.map((e) => e.message)).toEqual(['only one template per package (found marathon.json.mustache and stateful.json.mustache)']);
    const unclosed = validatePackage({ 'package.json': JSON.stringify(manifest), 'marathon.json.mustache': '{ {{#a}} }' });
    expect(!unclosed.ok && unclosed.errors[0]!.message).toMatch(/^not a valid mustache template: Unclosed section "a"/);
  });
});
