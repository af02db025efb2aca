#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { defaultBackoff } from './backoff.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { randomUUID } from 'node:crypto';
import { Cgroups } from './cgroups/cgroups.js';
import { AgentConfigError, agentConfigFromArgs } from './config.js';
import { MasterLink, type MasterCommand } from './master-link.js';
import { identityMismatch } from './recovery/compatibility.js';
import { TaskManager } from './tasks/task-manager.js';
import { SharedDirectoryProvider } from './volumes/shared-directory.js';
import { VolumeProviders } from './volumes/volume-provider.js';
import { Volumes } from './volumes/volumes.js';

const agentVersion: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** `gantry-agent --master URL …`: one machine's agent. */
async function main(): Promise<void> {
  const config = agentConfigFromArgs(process.argv.slice(2));
  let checkpoint = await readCheckpoint(config.workDir);
  if (checkpoint && checkpoint.hostname !== config.hostname) {
    throw new AgentConfigError(
      `${config.workDir} holds the checkpoint of agent "${checkpoint.hostname}", not "${config.hostname}": use another --work-dir, or remove that directory to start with a fresh identity`,
    );
  }
  const log = (line: string) => console.log(`[agent ${config.hostname}] ${line}`);
  const identity = { resources: config.resources, attributes: config.attributes };
  const mismatch = checkpoint?.resources && checkpoint.attributes ? identityMismatch({ resources: checkpoint.resources, attributes: checkpoint.attributes }, identity) : null;

  const cgroups = await Cgroups.detect();
  // Said once, at start: tasks still run, but nobody should believe they are isolated.
  if (!cgroups.available) log(`WARNING: cgroups are not usable (${cgroups.why}); tasks run WITHOUT cpu or memory isolation`);
  else log(`isolating tasks with ${cgroups.describe()}${cgroups.why ? `; ${cgroups.why}` : ''}`);

  let link: MasterLink | null = null;
  const tasks = new TaskManager({
    workDir: config.workDir, address: config.address, resources: config.resources, cgroups,
    volumes: new Volumes(config.workDir),
    volumeProviders: new VolumeProviders(config.sharedVolumesDir ? [new SharedDirectoryProvider(config.sharedVolumesDir)] : []),
    retry: { initialMs: config.statusRetryMs, maxMs: Math.max(config.statusRetryMs, 60_000) },
    rotation: { maxBytes: config.logMaxBytes, keep: 2 },
    usageIntervalMs: config.usageIntervalMs,
    send: (message) => link?.send(message) ?? false,
    agentId: () => link?.registeredAgentId ?? null,
    log,
  });

  if (mismatch) {
    if (!config.freshIdentity) {
      throw new AgentConfigError(
        `the checkpoint in ${config.workDir} was made for other resources (${mismatch}); its tasks were placed against those. ` +
        'Restore the old flags, or start with --fresh-identity to register as a new agent (its old tasks are killed)',
      );
    }
    const discarded = await tasks.discardAll();
    log(`--fresh-identity: discarded the old identity ${checkpoint!.agentId} (${mismatch}) and killed its ${discarded} task(s)`);
    checkpoint = null;
  }
  const recovered = await tasks.recover();
  if (recovered.adopted || recovered.ended) log(`recovered ${recovered.adopted} running task(s); ${recovered.ended} ended while the agent was away`);

  const reply = (ackOf: string, error: string | undefined) => link?.send({ type: 'ack', id: randomUUID(), ackOf, ...(error ? { error } : {}) });
  const command = async (message: MasterCommand) => {
    switch (message.type) {
      case 'launch': return reply(message.id, await tasks.launch(message));
      case 'kill': return reply(message.id, await tasks.kill(message));
      case 'createVolume': return reply(message.id, await tasks.createVolume(message));
      case 'destroyVolume': return reply(message.id, await tasks.destroyVolume(message));
      case 'readLog': return link?.send(await tasks.readLog(message));
    }
  };
  link = new MasterLink({
    config,
    agentVersion,
    agentId: checkpoint?.agentId ?? null,
    persistAgentId: (agentId) => writeCheckpoint(config.workDir, { agentId, hostname: config.hostname, ...identity }),
    backoff: defaultBackoff,
    random: Math.random,
    log,
    fatal: (message) => {
      console.error(`gantry agent: ${message}`);
      process.exit(1);
    },
    onRegistered: (agentId) => {
      link?.send({ type: 'taskList', id: randomUUID(), agentId, tasks: tasks.knownTasks() });
      tasks.connected();
    },
    onCommand: (message) => {
      command(message).catch((error: unknown) => {
        // A command must never take the agent down: answer it with the error instead.
        log(`${message.type} failed: ${(error as Error).message}`);
        if (message.type !== 'readLog') reply(message.id, (error as Error).message);
      });
    },
    onAck: (ackOf) => tasks.acknowledged(ackOf),
  });
  if (checkpoint && !checkpoint.resources) await writeCheckpoint(config.workDir, { ...checkpoint, ...identity });
  log(`offering ${JSON.stringify(config.resources)} with attributes ${JSON.stringify(config.attributes)}`);
  if (config.sharedVolumesDir) log(`external volumes: shared-directory at ${config.sharedVolumesDir}`);
  tasks.start();
  link.start();
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    // Tasks keep running: a restarted agent takes them back (Mesos agents do the same) —
    // unless this agent belongs to a cluster being stopped as a whole (`gantry up`).
    const ending = config.stopTasksOnExit ? tasks.killAll(20_000) : Promise.resolve();
    void ending.finally(() => {
      tasks.stop();
      link?.stop();
      process.exit(0);
    });
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
