import { open, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What the agent keeps across restarts. Written atomically (temp file, fsync, rename)
 * so a crash mid-write leaves the old checkpoint, never a torn one.
 */
export const AgentCheckpoint = z.object({
  agentId: z.string(),
  hostname: z.string(),
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
  await mkdir(workDir, { recursive: true });
  const target = join(workDir, FILE);
  const temp = `${target}.${process.pid}.tmp`;
  const file = await open(temp, 'w', 0o600);
  try {
    await file.writeFile(JSON.stringify(checkpoint, null, 2));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, target);
  const dir = await open(workDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
