#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { defaultBackoff } from './backoff.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { AgentConfigError, agentConfigFromArgs } from './config.js';
import { MasterLink } from './master-link.js';

const agentVersion: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** `gantry-agent --master URL …`: one machine's agent. */
async function main(): Promise<void> {
  const config = agentConfigFromArgs(process.argv.slice(2));
  const checkpoint = await readCheckpoint(config.workDir);
  if (checkpoint && checkpoint.hostname !== config.hostname) {
    throw new AgentConfigError(
      `${config.workDir} holds the checkpoint of agent "${checkpoint.hostname}", not "${config.hostname}": use another --work-dir, or remove that directory to start with a fresh identity`,
    );
  }
  const log = (line: string) => console.log(`[agent ${config.hostname}] ${line}`);
  const link = new MasterLink({
    config,
    agentVersion,
    agentId: checkpoint?.agentId ?? null,
    persistAgentId: (agentId) => writeCheckpoint(config.workDir, { agentId, hostname: config.hostname }),
    backoff: defaultBackoff,
    random: Math.random,
    log,
    fatal: (message) => {
      console.error(`gantry agent: ${message}`);
      process.exit(1);
    },
  });
  log(`offering ${JSON.stringify(config.resources)} with attributes ${JSON.stringify(config.attributes)}`);
  link.start();
  const shutdown = () => {
    link.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  if (process.env.GANTRY_PARENT_PIPE === '3') {
    const { createReadStream } = await import('node:fs');
    const pipe = createReadStream('', { fd: 3 });
    pipe.on('end', shutdown);
    pipe.on('error', shutdown);
    pipe.resume();
  }
}

main().catch((error: unknown) => {
  console.error(`gantry agent: ${error instanceof AgentConfigError ? error.message : (error as Error).message}`);
  process.exit(1);
});
