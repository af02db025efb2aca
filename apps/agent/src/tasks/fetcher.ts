import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, chown, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { TaskFetch } from '@gantry/specs';
import { artifactPlan, type ArtifactPlan } from './fetch-plan.js';

const run = promisify(execFile);

export class FetchError extends Error {
  override name = 'FetchError';
}

export interface FetchLimits {
  /** One download may take this long. */
  timeoutMs: number;
  /** And be at most this large. */
  maxBytes: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 120_000, maxBytes: 2 * 1024 ** 3 };

/**
 * The Mesos fetcher's job, for the URIs a task asks for: each artifact is copied (local
 * paths and `file://`) or downloaded (`http(s)://`) into the sandbox, extracted when it
 * is an archive and `extract` is on, made executable when asked, and handed to the
 * task's user. Archives are unpacked by `tar`/`unzip` with arguments, never a shell.
 * Any failure stops the launch with a message naming the URI.
 */
export async function fetchArtifacts(artifacts: readonly TaskFetch[], sandbox: string, owner: { uid: number | null; gid: number | null }, limits = DEFAULT_FETCH_LIMITS): Promise<void> {
  for (const artifact of artifacts) {
    const plan = artifactPlan(artifact);
    if (!plan.ok) throw new FetchError(plan.error);
    const target = join(sandbox, plan.file);
    try {
      await get(plan, target, limits);
      if (plan.extract) await unpack(plan, target, sandbox);
      if (plan.executable) await chmod(target, 0o755);
      if (owner.uid !== null) await chown(target, owner.uid, owner.gid ?? -1);
      if (plan.extract && owner.uid !== null) await run('chown', ['-R', `${owner.uid}:${owner.gid ?? owner.uid}`, '--', sandbox]);
    } catch (error) {
      if (error instanceof FetchError) throw error;
      throw new FetchError(`fetching ${artifact.uri} failed: ${(error as Error).message}`);
    }
  }
}

async function get(plan: ArtifactPlan & { ok: true }, target: string, limits: FetchLimits): Promise<void> {
  if (plan.source.kind === 'file') return copyFile(plan.source.path, target);
  const response = await fetch(plan.source.url, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow' });
  if (!response.ok || !response.body) throw new FetchError(`fetching ${plan.source.url} failed: HTTP ${response.status}`);
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > limits.maxBytes ? new FetchError(`fetching ${plan.source.kind === 'http' ? plan.source.url : ''} failed: larger than ${limits.maxBytes} bytes`) : null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), cap, createWriteStream(target));
}

async function unpack(plan: ArtifactPlan & { ok: true }, archive: string, sandbox: string): Promise<void> {
  // --no-same-owner / --no-overwrite-dir: an archive cannot hand files to other users or
  // replace the sandbox's own directories; tar refuses absolute names and `..` by default.
  const [command, args] = plan.archive === 'zip'
    ? ['unzip', ['-q', '-o', archive, '-d', sandbox]] as const
    : ['tar', ['-x', '--no-same-owner', '--no-overwrite-dir', '-f', archive, '-C', sandbox]] as const;
  try {
    await run(command, [...args]);
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new FetchError(`extracting ${plan.file} needs ${command}, which this machine does not have: install it (apt-get install ${command})`);
    throw new FetchError(`extracting ${plan.file} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}
