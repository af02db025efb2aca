import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The unit file we ship for real nodes: the settings the agent's guarantees depend on. */
describe('systemd/gantry-agent.service', () => {
  const unit = readFileSync(new URL('../systemd/gantry-agent.service', import.meta.url), 'utf8');
  const service = Object.fromEntries(
    unit.split('[Service]')[1]!.split('[')[0]!.split('\n').map((l) => /^(\w+)=(.*)$/.exec(l.trim())).filter((m) => m !== null).map((m) => [m[1], m[2]]),
  );

  it('restarts a dead agent, stops only the agent (never its tasks), delegates its cgroup', () => {
    expect(service).toMatchObject({ Restart: 'always', KillMode: 'process', Delegate: 'yes' });
    expect(service.ExecStart).toContain('apps/agent/dist/main.js');
    expect(service.EnvironmentFile).toBe('/etc/gantry/agent.env'); // the join token stays out of the command line
  });
});
