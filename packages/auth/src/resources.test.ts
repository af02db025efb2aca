import { describe, expect, it } from 'vitest';
import { parseResource, type Grant } from './permissions.js';
import { mayReadQuota, mayReadSandbox, mayReadTask, RESOURCE_KINDS } from './resources.js';

const g = (resource: string, action: Grant['action'] = 'full'): Grant => ({ resource, action });

describe('task and sandbox permissions', () => {
  it.each([
    // grants, the task's app, may read the task, may read its logs
    [[g('gantry:service:/team-a')], '/team-a/web', true, true],
    [[g('gantry:service:/team-a', 'read'), g('gantry:service:/team-a', 'update')], '/team-a/web', true, true],
    [[g('gantry:service:/team-a', 'read')], '/team-a/web', true, false], // a viewer needs the sandbox grant
    [[g('gantry:service:/team-a', 'read'), g('gantry:agent:sandbox:/team-a', 'read')], '/team-a/web', true, true],
    [[g('gantry:service:/team-a')], '/team-b/web', false, false],
    [[g('gantry:service:/team-a')], '/team-ab/web', false, false],
    [[g('gantry:service:/team-a')], null, false, false], // a task of no app is an operator's
    [[g('gantry:task', 'read'), g('gantry:agent:sandbox', 'read')], '/team-b/web', true, true], // operators see every task
    [[g('gantry:task', 'read'), g('gantry:agent:sandbox', 'read')], null, true, true],
    [[g('gantry:agent:sandbox:/team-a', 'read')], null, false, false],
    [[g('gantry:superuser')], null, true, true],
    [[], '/team-a/web', false, false],
  ] as const)('%j on a task of %s: read %s, logs %s', (grants, appId, task, sandbox) => {
    expect(mayReadTask(grants, appId)).toBe(task);
    expect(mayReadSandbox(grants, appId)).toBe(sandbox);
  });
});

describe('quota permissions', () => {
  it.each([
    [[g('gantry:service:/team-a', 'read')], 'team-a', true], // members read their own
    [[g('gantry:service:/team-a/web', 'read')], 'team-a', false], // one app's viewer does not see the group's quota
    [[g('gantry:service:/team-a')], 'team-b', false],
    [[g('gantry:quota', 'read')], 'team-b', true], // operators read every quota
    [[g('gantry:quota:/team-b', 'update')], 'team-b', false],
  ] as const)('%j reads the quota of %s: %s', (grants, group, allowed) => {
    expect(mayReadQuota(grants, group)).toBe(allowed);
  });
});

describe('RESOURCE_KINDS', () => {
  it('lists only resources the grammar accepts, each once', () => {
    for (const kind of RESOURCE_KINDS) {
      expect(parseResource(kind.resource), kind.resource).not.toBeNull();
      if (kind.path) expect(parseResource(`${kind.resource}:/team-a`)?.path).toEqual(['team-a']);
    }
    expect(new Set(RESOURCE_KINDS.map((k) => k.resource)).size).toBe(RESOURCE_KINDS.length);
  });
});
