import { cpus, hostname as osHostname, totalmem } from 'node:os';
import { readFileSync, statfsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AgentResources, parseAttributes, type AgentAttributes } from '@gantry/specs';

export interface AgentConfig {
  masters: URL[];
  hostname: string;
  address: string;
  resources: AgentResources;
  attributes: AgentAttributes;
  workDir: string;
  /**
   * The directory every agent mounts at the same path (e.g. an NFS mount): external
   * volumes of provider `shared-directory` live below it. Null: this agent has none.
   */
  sharedVolumesDir: string | null;
  /** The cluster join token, presented to the master on every connection. */
  token: string;
  /** Discard a checkpoint that no longer matches this machine (and kill its tasks). */
  freshIdentity: boolean;
  /** On an orderly stop, kill every task first (a whole local cluster stopping), instead of leaving them to the next agent. */
  stopTasksOnExit: boolean;
  /** First retry delay of an unacknowledged status update. */
  statusRetryMs: number;
  usageIntervalMs: number;
  logMaxBytes: number;
}

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

export const usage = `usage: gantry-agent --master http://127.0.0.1:8080 [--master …] [--hostname NAME]
  [--address IP] [--attributes zone:a,rack:r1] [--cpus N] [--mem MiB] [--disk MiB]
  [--ports 31000-32000[,…]] [--work-dir DIR] [--shared-volumes-dir DIR] [--token-file FILE] [--fresh-identity] [--stop-tasks-on-exit]
  [--status-retry-ms 1000] [--usage-interval-ms 5000] [--log-max-bytes 10485760]
The cluster join token comes from --token-file or GANTRY_AGENT_TOKEN.`;

/** Reads the agent's command line; anything wrong is one clear AgentConfigError. */
export function agentConfigFromArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        master: { type: 'string', multiple: true },
        hostname: { type: 'string' },
        address: { type: 'string' },
        attributes: { type: 'string' },
        cpus: { type: 'string' },
        mem: { type: 'string' },
        disk: { type: 'string' },
        ports: { type: 'string' },
        'work-dir': { type: 'string' },
        'shared-volumes-dir': { type: 'string' },
        'token-file': { type: 'string' },
        'fresh-identity': { type: 'boolean' },
        'stop-tasks-on-exit': { type: 'boolean' },
        'status-retry-ms': { type: 'string' },
        'usage-interval-ms': { type: 'string' },
        'log-max-bytes': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new AgentConfigError(`${(error as Error).message}\n${usage}`);
  }
  const masterArgs = values.master ?? (env.GANTRY_MASTER ? [env.GANTRY_MASTER] : []);
  if (masterArgs.length === 0) throw new AgentConfigError(`--master is required: the URL of a Gantry API server\n${usage}`);
  const masters = masterArgs.flatMap((m) => m.split(',')).map((m) => parseMasterUrl(m.trim()));

  const attributes = parseAttributes(values.attributes ?? '');
  if (!attributes.ok) throw new AgentConfigError(`--attributes: ${attributes.error}`);

  const workDir = resolve(values['work-dir'] ?? env.GANTRY_AGENT_WORK_DIR ?? '.gantry/agent');
  const resources = AgentResources.safeParse({
    cpus: values.cpus !== undefined ? Number(values.cpus) : cpus().length,
    mem: values.mem !== undefined ? Number(values.mem) : defaultMem(),
    disk: values.disk !== undefined ? Number(values.disk) : defaultDisk(workDir),
    ports: parsePorts(values.ports ?? '31000-32000'),
  });
  if (!resources.success) {
    const issue = resources.error.issues[0]!;
    throw new AgentConfigError(`--${String(issue.path[0])}: ${issue.message}`);
  }
  const sharedVolumesDir = sharedDir(values['shared-volumes-dir'] ?? env.GANTRY_AGENT_SHARED_VOLUMES_DIR);
  const token = readToken(values['token-file'], env);
  return {
    token,
    freshIdentity: values['fresh-identity'] ?? false,
    stopTasksOnExit: values['stop-tasks-on-exit'] ?? false,
    statusRetryMs: positiveInt('status-retry-ms', values['status-retry-ms'], 1000),
    usageIntervalMs: positiveInt('usage-interval-ms', values['usage-interval-ms'], 5000),
    logMaxBytes: positiveInt('log-max-bytes', values['log-max-bytes'], 10 * 2 ** 20),
    masters,
    hostname: values.hostname ?? osHostname(),
    address: values.address ?? '127.0.0.1',
    resources: resources.data,
    attributes: attributes.value,
    workDir,
    sharedVolumesDir,
  };
}

/** `--shared-volumes-dir`: must already be there (a mount point not yet mounted would silently fill the local disk). */
function sharedDir(text: string | undefined): string | null {
  if (text === undefined || text === '') return null;
  const dir = resolve(text);
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new AgentConfigError(`--shared-volumes-dir ${dir} is not a directory: mount the shared filesystem (e.g. NFS) there first, at the same path on every agent`);
  return dir;
}

function positiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new AgentConfigError(`--${flag} must be a whole number greater than 0, not "${text}"`);
  return value;
}

function parseMasterUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AgentConfigError(`--master "${text}" is not a URL; use the API server's address, e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AgentConfigError(`--master "${text}" must be an http:// or https:// URL, e.g. http://127.0.0.1:8080`);
  }
  return url;
}

/** `31000-31999,33000-33099` → [[31000,31999],[33000,33099]]; zod checks the bounds. */
function parsePorts(text: string): unknown {
  return text.split(',').filter(Boolean).map((range) => {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(range);
    if (!m) throw new AgentConfigError(`--ports "${range}" is not a range like 31000-31999`);
    return [Number(m[1]), Number(m[2])];
  });
}

/** All memory but 512 MiB for the operating system, as the Mesos agent does by default (min 50 %). */
function defaultMem(): number {
  const total = Math.floor(totalmem() / 2 ** 20);
  return Math.max(Math.floor(total / 2), total - 512);
}

function defaultDisk(dir: string): number {
  try {
    const stat = statfsSync(dir.replace(/\/[^/]*$/, '') || '/');
    return Math.floor((stat.bavail * stat.bsize) / 2 ** 20);
  } catch {
    return 0;
  }
}

function readToken(file: string | undefined, env: NodeJS.ProcessEnv): string {
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new AgentConfigError(`--token-file ${file} cannot be read (${(error as NodeJS.ErrnoException).code}): point it at the cluster join token`);
    }
  }
  const token = env.GANTRY_AGENT_TOKEN?.trim();
  if (!token) throw new AgentConfigError('the cluster join token is missing: pass --token-file FILE or set GANTRY_AGENT_TOKEN');
  return token;
}
