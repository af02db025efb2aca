/**
 * How `gantry up` shares one machine between its local agents: an equal slice of
 * cpus, memory (after a reserve for Postgres, the API and the console) and disk, and
 * non-overlapping host-port ranges, since all of them share one network namespace.
 */
export interface MachineSize {
  cpus: number;
  memMiB: number;
  diskMiB: number;
}

export interface AgentSlice {
  hostname: string;
  attributes: string;
  cpus: number;
  mem: number;
  disk: number;
  ports: string;
}

export const LOCAL_AGENTS = [
  { hostname: 'local-a', zone: 'a' },
  { hostname: 'local-b', zone: 'b' },
  { hostname: 'local-c', zone: 'c' },
] as const;

const CONTROL_PLANE_RESERVE_MIB = 1536;
const FIRST_PORT = 31000;
const PORTS_PER_AGENT = 1000;

export function agentSlices(machine: MachineSize): AgentSlice[] {
  const n = LOCAL_AGENTS.length;
  const cpus = Math.max(0.1, Math.floor((machine.cpus / n) * 100) / 100);
  const mem = Math.max(128, Math.floor((machine.memMiB - CONTROL_PLANE_RESERVE_MIB) / n));
  const disk = Math.max(0, Math.floor(machine.diskMiB / n));
  return LOCAL_AGENTS.map((agent, i) => {
    const first = FIRST_PORT + i * PORTS_PER_AGENT;
    return {
      hostname: agent.hostname,
      attributes: `zone:${agent.zone}`,
      cpus, mem, disk,
      ports: `${first}-${first + PORTS_PER_AGENT - 1}`,
    };
  });
}
