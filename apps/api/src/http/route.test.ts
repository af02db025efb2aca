import { describe, expect, it } from 'vitest';
import { findRoute, matchPath, type Route } from './route.js';

const route = (method: Route['method'], path: string): Route => ({ method, path, access: 'public', handle: async () => undefined });

describe('routes', () => {
  it('matches :params segment by segment, decoding them', () => {
    expect(matchPath('/v1/iam/users/:uid', '/v1/iam/users/al%20ice')).toEqual({ uid: 'al ice' });
    expect(matchPath('/v1/iam/users/:uid', '/v1/iam/users/')).toBeNull();
    expect(matchPath('/v1/iam/users/:uid', '/v1/iam/users/a/b')).toBeNull();
    expect(matchPath('/v1/iam/users/:uid', '/v1/iam/users/%E0%A4%A')).toBeNull();
  });

  it('takes a Marathon id of any depth with *name, leaving fixed segments around it', () => {
    expect(matchPath('/v2/apps/*id', '/v2/apps/team-a/web/api')).toEqual({ id: '/team-a/web/api' });
    expect(matchPath('/v2/apps/*id/tasks', '/v2/apps/team-a/web/tasks')).toEqual({ id: '/team-a/web' });
    expect(matchPath('/v2/apps/*id/tasks/:taskId', '/v2/apps/a/tasks/t1')).toEqual({ id: '/a', taskId: 't1' });
    expect(matchPath('/v2/apps/*id/tasks', '/v2/apps/tasks')).toBeNull();
    expect(matchPath('/v2/apps/*id', '/v2/apps/')).toBeNull();
    expect(matchPath('/v2/apps/*id', '/v2/apps/a//b')).toBeNull();
    expect(matchPath('/v2/apps/*id/restart', '/v2/apps/a/versions')).toBeNull();
  });

  it('tells a missing path (404) from a wrong method (405)', () => {
    const routes = [route('GET', '/v1/nodes'), route('POST', '/v1/iam/users/:uid')];
    expect(findRoute(routes, 'POST', '/v1/iam/users/bob')).toMatchObject({ found: true, params: { uid: 'bob' } });
    expect(findRoute(routes, 'DELETE', '/v1/nodes')).toEqual({ found: false, status: 405 });
    expect(findRoute(routes, 'GET', '/v1/nope')).toEqual({ found: false, status: 404 });
  });
});
