import { describe, expect, it } from 'vitest';
import { type GroupDefinition, type GroupResult, groupApps, parseGroupDefinition } from './group.js';

const app = (id: string, fields: Record<string, unknown> = {}) => ({ id, cmd: 'sleep 1000', ...fields });

function parsed(json: unknown, base?: string): GroupDefinition {
  const result = parseGroupDefinition(json, base);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.group;
}

function details(result: GroupResult) {
  return result.ok ? [] : (result.error.details ?? []);
}

/** The tree's ids, depth first: `group: app, app; subgroup: …`. */
function shape(group: GroupDefinition): string[] {
  return [`${group.id}: ${group.apps.map((a) => a.id).join(', ')}`, ...group.groups.flatMap(shape)];
}

describe('parseGroupDefinition', () => {
  it('reads a tree, resolving relative ids against the enclosing group', () => {
    const group = parsed({
      id: 'product',
      apps: [app('gateway')],
      groups: [
        { id: 'database', apps: [app('/product/database/postgres'), app('./redis')] },
        { id: '/product/service', dependencies: ['../database'], apps: [app('rails-app', { dependencies: ['../database/redis'] })] },
      ],
    });
    expect(shape(group)).toEqual([
      '/product: /product/gateway',
      '/product/database: /product/database/postgres, /product/database/redis',
      '/product/service: /product/service/rails-app',
    ]);
    expect(group.groups[1]?.dependencies).toEqual(['/product/database']);
    expect(group.groups[1]?.apps[0]?.dependencies).toEqual(['/product/database/redis']);
    expect(groupApps(group).map((a) => a.id)).toEqual(['/product/gateway', '/product/database/postgres', '/product/database/redis', '/product/service/rails-app']);
  });

  it('fills every app with its defaults and the group fields with theirs', () => {
    const group = parsed({ id: '/shop', apps: [app('web')] });
    expect(group).toMatchObject({ id: '/shop', dependencies: [], enforceRole: false, groups: [] });
    expect(group.apps[0]).toMatchObject({ id: '/shop/web', cpus: 1, mem: 128, instances: 1 });
  });

  it("takes the request's group when the top group leaves its id out (PUT /v2/groups/{id})", () => {
    expect(shape(parsed({ apps: [app('web')] }, '/shop'))).toEqual(['/shop: /shop/web']);
    expect(parsed({ id: 'eu' }, '/shop').id).toBe('/shop/eu');
  });

  it('reads the root group and a top-level group that enforces its role', () => {
    const root = parsed({ id: '/', groups: [{ id: 'team-a', enforceRole: true, apps: [app('web')] }] });
    expect(root.groups[0]).toMatchObject({ id: '/team-a', enforceRole: true });
  });

  it('reads null as not given, and the empty pods of an exported group', () => {
    expect(parsed({ id: '/shop', apps: null, groups: null, dependencies: null, pods: [] })).toEqual(parsed({ id: '/shop' }));
  });

  it.each<[string, unknown, string, string]>([
    ['an app outside its group', { id: '/a', apps: [app('/b/web')] }, '/apps/0/id', '"/b/web" is not directly in group /a'],
    ['an app deeper than its group', { id: '/a', apps: [app('b/web')] }, '/apps/0/id', 'move it to the group /a/b'],
    ['a subgroup outside its group', { id: '/a', groups: [{ id: '/b' }] }, '/groups/0/id', '"/b" is not directly in group /a'],
    ['a subgroup two levels down', { id: '/a', groups: [{ id: 'b/c' }] }, '/groups/0/id', '"/a/b/c" is not directly in group /a'],
    ['a subgroup without id', { id: '/a', groups: [{ apps: [] }] }, '/groups/0/id', 'is required: a subgroup names itself'],
    ['two apps with one id', { id: '/a', apps: [app('web'), app('/a/web')] }, '/apps/1/id', '/a/web is given twice: first at /apps/0/id'],
    ['an app and a group with one id', { id: '/a', apps: [app('b')], groups: [{ id: 'b' }] }, '/groups/0/id', '/a/b is given twice: first at /apps/0/id'],
    ['two groups with one id', { id: '/a', groups: [{ id: 'b' }, { id: '/a/b' }] }, '/groups/1/id', '/a/b is given twice'],
    ['a bad group id', { id: 'Shop' }, '/id', 'segment "Shop" of "Shop" is not valid'],
    ['a bad group dependency', { id: '/a', dependencies: ['../../..'] }, '/dependencies/0', 'climbs above the root group'],
    ['a role enforced below the top', { id: '/a/b', enforceRole: true }, '/enforceRole', 'only top-level groups enforce a role, and /a/b is not top-level'],
    ['an unknown group field', { id: '/a', app: [] }, '/app', 'is not a field Marathon knows here'],
    ['a version beside a definition', { id: '/a', version: '2015-09-28T19:47:37.681Z', apps: [] }, '/version', 'version rolls a group back and goes alone'],
    ['a scale beside a definition', { id: '/a', scaleBy: 2 }, '/scaleBy', 'scaleBy scales a group and goes alone'],
    ['pods', { id: '/a', pods: [{ id: 'p' }] }, '/pods', 'pods are not supported yet'],
    ['apps that are not a list', { id: '/a', apps: {} }, '/apps', 'must be an array, not an object'],
    ['a group that is not an object', { id: '/a', groups: ['b'] }, '/groups/0', 'a group definition is a JSON object, not "b"'],
  ])('reports %s', (_, json, path, message) => {
    const found = details(parseGroupDefinition(json));
    expect(found).toEqual([{ path, errors: [expect.stringContaining(message)] }]);
  });

  it("reports every app's problems at once, at paths inside the tree", () => {
    const result = parseGroupDefinition({
      id: '/shop',
      apps: [app('web', { cpus: 0 }), app('api', { mem: 'lots' })],
      groups: [{ id: 'db', apps: [app('pg', { healthChecks: [{ portIndex: 3 }], extra: 1 })] }],
    });
    expect(details(result).map((d) => d.path)).toEqual(['/apps/0/cpus', '/apps/1/mem', '/groups/0/apps/0/extra', '/groups/0/apps/0/healthChecks/0/portIndex']);
  });

  it('refuses trees nested too deep to be meant, without walking them', () => {
    let json: Record<string, unknown> = { id: 'leaf' };
    for (let i = 0; i < 10_000; i++) json = { id: 'g', groups: [json] };
    expect(details(parseGroupDefinition({ ...json, id: '/g' }))).toEqual([
      { path: '/' + Array.from({ length: 32 }, () => 'groups/0').join('/') + '/groups', errors: ['groups nest at most 32 deep'] },
    ]);
  });
});
