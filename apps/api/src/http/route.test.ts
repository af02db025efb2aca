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

  it('tells a missing path (404) from a wrong method (405)', () => {
    const routes = [route('GET', '/v1/nodes'), route('POST', '/v1/iam/users/:uid')];
    expect(findRoute(routes, 'POST', '/v1/iam/users/bob')).toMatchObject({ found: true, params: { uid: 'bob' } });
    expect(findRoute(routes, 'DELETE', '/v1/nodes')).toEqual({ found: false, status: 405 });
    expect(findRoute(routes, 'GET', '/v1/nope')).toEqual({ found: false, status: 404 });
  });
});
