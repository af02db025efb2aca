import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfigError, agentConfigFromArgs } from './config.js';

const base = ['--master', 'http://127.0.0.1:8080', '--cpus', '1', '--mem', '256', '--disk', '100'];
const env = { GANTRY_AGENT_TOKEN: 'token' };

describe('--shared-volumes-dir', () => {
  it('is off unless given', () => {
    expect(agentConfigFromArgs(base, env).sharedVolumesDir).toBeNull();
  });

  it('takes an existing directory, made absolute', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gantry-shared-'));
    try {
      expect(agentConfigFromArgs([...base, '--shared-volumes-dir', `${dir}/./`], env).sharedVolumesDir).toBe(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a directory that is not there (a mount point not mounted yet would fill the local disk)', () => {
    const missing = join(tmpdir(), 'gantry-no-such-shared-dir');
    expect(() => agentConfigFromArgs([...base, '--shared-volumes-dir', missing], env)).toThrow(
      new AgentConfigError(`--shared-volumes-dir ${missing} is not a directory: mount the shared filesystem (e.g. NFS) there first, at the same path on every agent`),
    );
  });
});
