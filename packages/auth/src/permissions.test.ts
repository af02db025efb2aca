import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorize, mayGrant, normalisePath, type Grant } from './permissions.js';

const g = (resource: string, action: Grant['action'] = 'full'): Grant => ({ resource, action });

describe('authorize', () => {
  it.each([
    // grant, request resource, request action, allowed
    [g('gantry:service:/team-a'), 'gantry:service:/team-a/web', 'update', true],
    [g('gantry:service:/team-a'), 'gantry:service:/team-a', 'delete', true],
    [g('gantry:service:/team-a'), 'gantry:service:/team-ab', 'read', false], // segment boundary
    [g('gantry:service:/team-a'), 'gantry:service:/team-b/web', 'read', false],
    [g('gantry:service:/team-a'), 'gantry:service:/team-a/../team-b', 'read', false], // normalised first
    [g('gantry:service:/team-a'), 'gantry:service:/team-b/../team-a/x', 'read', true],
    [g('gantry:service:/team-a', 'read'), 'gantry:service:/team-a/web', 'read', true],
    [g('gantry:service:/team-a', 'read'), 'gantry:service:/team-a/web', 'update', false],
    [g('gantry:service:/'), 'gantry:service:/anything/at/all', 'create', true],
    [g('gantry:service'), 'gantry:service:/x', 'read', true],
    [g('gantry:node', 'read'), 'gantry:node', 'read', true],
    [g('gantry:node', 'read'), 'gantry:service:/x', 'read', false],
    [g('gantry:superuser'), 'gantry:iam', 'full', true],
    [g('gantry:service:/a'), 'gantry:service:/../etc', 'read', false], // climbs above the root
    [g('gantry:service:/a'), 'not a resource!', 'read', false],
  ] as const)('%j on %s %s → %s', (grant, resource, action, allowed) => {
    expect(authorize([grant], { resource, action }).allowed).toBe(allowed);
  });

  it('denies by default, saying what is missing', () => {
    expect(authorize([], { resource: 'gantry:node', action: 'read' })).toEqual({ allowed: false, reason: 'no grant of read on gantry:node' });
  });

  it('never lets a grant on one top-level group reach another (property)', () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    fc.assert(
      fc.property(segment, segment, fc.array(fc.oneof(segment, fc.constant('..'), fc.constant('.')), { maxLength: 6 }), (a, b, rest) => {
        fc.pre(a !== b);
        const resource = `gantry:service:/${b}/${rest.join('/')}`;
        const path = normalisePath(resource.slice('gantry:service:'.length));
        const allowed = authorize([g(`gantry:service:/${a}`)], { resource, action: 'read' }).allowed;
        // Allowed only if the normalised path really is under /a.
        expect(allowed).toBe(path !== null && path[0] === a);
      }),
    );
  });
});

describe('mayGrant', () => {
  it('lets a team admin grant within its team and nothing beyond (no escalation)', () => {
    const teamAdmin = [g('gantry:service:/team-a')];
    expect(mayGrant(teamAdmin, g('gantry:service:/team-a/web', 'read'))).toBe(true);
    expect(mayGrant(teamAdmin, g('gantry:service:/'))).toBe(false);
    expect(mayGrant(teamAdmin, g('gantry:superuser'))).toBe(false);
    expect(mayGrant([g('gantry:service:/team-a', 'read')], g('gantry:service:/team-a', 'full'))).toBe(false);
  });
});
