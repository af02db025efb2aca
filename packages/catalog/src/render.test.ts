import { describe, expect, it } from 'vitest';
import { renderPackage } from './render.js';
import { validatePackage } from './validate-package.js';
import type { CatalogPackage, PackageFiles } from './package-files.js';

const manifest = { packagingVersion: '4.0', name: 'demo', version: '1.2.3', maintainer: 'me', description: 'A demo', tags: ['x'] };
const config = {
  type: 'object',
  properties: {
    service: { type: 'object', properties: { name: { type: 'string', default: '/demo' }, mem: { type: 'number', default: 32, minimum: 32 } } },
    motd: { type: 'string', default: 'hi' },
    args: { type: 'array', default: ['a', 'b"c'] },
  },
};

function pkg(files: Partial<Record<string, string | object>>): CatalogPackage {
  const r = validatePackage({ 'package.json': manifest, 'config.json': config, ...files } as PackageFiles);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.package;
}

describe('renderPackage', () => {
  const app = pkg({
    'marathon.json.mustache': '{\n  "id": "{{service.name}}",\n  "env": { "MOTD": "{{motd}}", "IMAGE": "{{resource.assets.uris.tool}}", "RUNTIME": "{{gantry.host}}" },\n  "args": [{{#args}}{{.}},{{/args}}"end"],\n  "cpus": 0.1,\n  "mem": {{service.mem}},\n  "labels": { "OWN": "1" }\n}\n',
    'resource.json': { assets: { uris: { tool: 'https://example.invalid/tool.tgz' } } },
  });

  it('renders defaults merged with options, JSON-escaping strings as Cosmos does, with resource and runtime values', () => {
    const r = renderPackage(app, { motd: 'say "hi"\nbye' }, { gantry: { host: 'h1' }, source: 'builtin' });
    expect(r.ok).toBe(true);
    if (!r.ok || r.kind !== 'marathon') return;
    expect(r.json.env).toEqual({ MOTD: 'say "hi"\nbye', IMAGE: 'https://example.invalid/tool.tgz', RUNTIME: 'h1' });
    expect(r.json.args).toEqual(['a', 'b"c', 'end']);
    expect(r.json.labels).toEqual({ OWN: '1', DCOS_PACKAGE_NAME: 'demo', DCOS_PACKAGE_VERSION: '1.2.3', DCOS_PACKAGE_SOURCE: 'builtin' });
    expect(r.app).toMatchObject({ id: '/demo', mem: 32 });
    expect(r.options).toEqual({ service: { name: '/demo', mem: 32 }, motd: 'say "hi"\nbye', args: ['a', 'b"c'] });
  });

  it('options that violate the schema: {path, errors} per option', () => {
    const r = renderPackage(app, { service: { mem: 1 }, motd: 3 });
    expect(!r.ok && r.error).toEqual({
      kind: 'InvalidOptions',
      message: 'options are not valid for demo 1.2.3',
      details: [
        { path: '/motd', errors: ['must be string'] },
        { path: '/service/mem', errors: ['must be >= 32'] },
      ],
    });
  });

  it('a template that renders invalid JSON: the error names the package, version and line', () => {
    const bad = pkg({ 'marathon.json.mustache': '{\n  "id": "{{service.name}}",\n  "mem": {{service.missing}}, "cpus": 1\n}' });
    const r = renderPackage(bad, {});
    expect(!r.ok && r.error).toEqual({
      kind: 'InvalidTemplateOutput',
      message: 'demo 1.2.3: marathon.json.mustache rendered invalid JSON at line 3, column 10 (expected a value, found ","): "mem": , "cpus": 1',
      line: 3,
      column: 10,
    });
  });

  it('a rendered app that is not a valid Marathon app is refused with its paths', () => {
    const bad = pkg({ 'marathon.json.mustache': '{ "id": "{{service.name}}", "cmd": "x", "cpus": -1, "mem": 32 }' });
    const r = renderPackage(bad, {});
    expect(!r.ok && r.error.kind).toBe('InvalidServiceDefinition');
    expect(!r.ok && r.error.kind === 'InvalidServiceDefinition' && r.error.details.map((d) => d.path)).toEqual(['/cpus']);
  });

  it('a package without config.json takes no options', () => {
    const r = validatePackage({ 'package.json': manifest, 'marathon.json.mustache': '{ "id": "/x", "cmd": "x", "cpus": 0.1, "mem": 32 }' });
    const plain = r.ok ? r.package : undefined;
    expect(renderPackage(plain!, {}).ok).toBe(true);
    expect(renderPackage(plain!, { a: 1 })).toEqual({ ok: false, error: { kind: 'OptionsNotAllowed', message: 'demo 1.2.3 takes no options' } });
  });
});
