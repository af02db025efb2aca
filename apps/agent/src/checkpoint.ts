import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentAttributes, AgentResources } from '@gantry/specs';
import { z } from 'zod';
import { writeFileAtomically } from './atomic-file.js';

/**
 * What the agent keeps across restarts. Written atomically (temp file, fsync, rename)
 * so a crash mid-write leaves the old checkpoint, never a torn one.
 */
export const AgentCheckpoint = z.object({
  agentId: z.string(),
  hostname: z.string(),
  /** What the agent offered when it got its id; recovery refuses a machine that changed. */
  resources: AgentResources.optional(),
  attributes: AgentAttributes.optional(),
});
export type AgentCheckpoint = z.infer<typeof AgentCheckpoint>;

const FILE = 'agent.json';

export async function readCheckpoint(workDir: string): Promise<AgentCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(join(workDir, FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = AgentCheckpoint.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`checkpoint ${join(workDir, FILE)} is damaged; move it away to start with a fresh identity`);
  return parsed.data;
}

export async function writeCheckpoint(workDir: string, checkpoint: AgentCheckpoint): Promise<void> {
  await writeFileAtomically(join(workDir, FILE), JSON.stringify(checkpoint, null, 2));
}
