import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readZip, ZipError } from './zip.js';

/**
 * Where a package repository's files come from. A repository URI is one of:
 *
 *   /abs/path/to/dir          a directory in Universe's layout (`…/packages/<L>/<name>/<n>/…`,
 *   file:///abs/path/to/dir   at its top or below one directory such as `repo/`)
 *   /abs/path/repo.zip        a zip of such a directory (as `zip -r repo.zip packages`, or a
 *   file:///abs/path/repo.zip GitHub archive of a Universe fork)
 *   http(s)://host/repo.zip   the same zip served over HTTP(S) — Universe's own repositories
 *                             were zips of its layout before Cosmos served JSON indexes
 *
 * Paths are on the API's machine (every replica must see the same one). An HTTP(S)
 * repository must answer with the zip itself: directory listings are not crawled
 * (their format is not specified anywhere, and a crawl is one request per file).
 * Only the files of the layout are read, within the limits below.
 */
export class SourceError extends Error {
  override name = 'SourceError';
}

const LAYOUT = /(^|\/)packages\/[A-Z0-9]\/[^/]+\/\d+\/[^/]+$/;
export const SOURCE_LIMITS = { maxEntries: 50_000, maxBytes: 64 * 1024 * 1024, maxFiles: 10_000 } as const;
const FETCH_TIMEOUT_MS = 30_000;

export type SourceKind = 'directory' | 'zip' | 'http';

/** What kind of source `uri` names, or why it names none. */
export function sourceKind(uri: string): { ok: true; kind: SourceKind; path?: string } | { ok: false; error: string } {
  if (/^https?:\/\//i.test(uri)) {
    try {
      new URL(uri);
    } catch {
      return { ok: false, error: `"${uri}" is not a URL` };
    }
    return { ok: true, kind: 'http' };
  }
  let path = uri;
  if (uri.startsWith('file://')) {
    try {
      path = fileURLToPath(uri);
    } catch {
      return { ok: false, error: `"${uri}" is not a file URL` };
    }
  }
  if (!isAbsolute(path)) return { ok: false, error: 'give an absolute path on the API\'s machine, a file:// URL, or an http(s):// URL of a zip' };
  return { ok: true, kind: path.toLowerCase().endsWith('.zip') ? 'zip' : 'directory', path };
}

/** The repository's files, path → text. */
export async function readSource(uri: string): Promise<Record<string, string>> {
  const kind = sourceKind(uri);
  if (!kind.ok) throw new SourceError(kind.error);
  try {
    if (kind.kind === 'http') return unzip(await download(uri), uri);
    if (kind.kind === 'zip') return unzip(await readFile(kind.path!), uri);
    return await readDirectory(kind.path!);
  } catch (e) {
    if (e instanceof SourceError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SourceError(`${uri} does not exist on the API's machine`);
    if (code === 'EACCES') throw new SourceError(`${uri} cannot be read by the API (permission denied)`);
    if (code === 'ENOTDIR') throw new SourceError(`${uri} is not a directory`);
    throw new SourceError(`${uri} cannot be read: ${(e as Error).message}`);
  }
}

function unzip(data: Buffer, uri: string): Record<string, string> {
  try {
    return readZip(data, (p) => LAYOUT.test(p), SOURCE_LIMITS);
  } catch (e) {
    if (e instanceof ZipError) throw new SourceError(`${uri}: ${e.message}`);
    throw e;
  }
}

async function download(uri: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(uri, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (e) {
    throw new SourceError(`${uri} cannot be fetched: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
  }
  if (!response.ok) throw new SourceError(`${uri} answered HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > SOURCE_LIMITS.maxBytes) throw new SourceError(`${uri} is ${length} bytes, more than ${SOURCE_LIMITS.maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
    if (chunk.done) break;
    size += chunk.value.length;
    if (size > SOURCE_LIMITS.maxBytes) {
      await reader?.cancel();
      throw new SourceError(`${uri} is more than ${SOURCE_LIMITS.maxBytes} bytes`);
    }
    chunks.push(Buffer.from(chunk.value));
  }
  const data = Buffer.concat(chunks);
  if (data.length < 4 || data.readUInt32LE(0) !== 0x04034b50) {
    throw new SourceError(`${uri} did not answer with a zip archive: serve the repository (its packages/ directory) as one .zip`);
  }
  return data;
}

async function readDirectory(dir: string): Promise<Record<string, string>> {
  if (!(await stat(dir)).isDirectory()) throw new SourceError(`${dir} is not a directory`);
  const out: Record<string, string> = {};
  let files = 0;
  let bytes = 0;
  const walk = async (d: string, depth: number): Promise<void> => {
    // packages/<L>/<name>/<n>/<file> sits at most one directory below the top.
    if (depth > 6) return;
    for (const entry of (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p, depth + 1);
      else if (entry.isFile()) {
        const rel = relative(dir, p).split('\\').join('/');
        if (!LAYOUT.test(rel)) continue;
        if (++files > SOURCE_LIMITS.maxFiles) throw new SourceError(`${dir} holds more than ${SOURCE_LIMITS.maxFiles} package files`);
        const text = await readFile(p, 'utf8');
        bytes += text.length;
        if (bytes > SOURCE_LIMITS.maxBytes) throw new SourceError(`${dir}'s package files are more than ${SOURCE_LIMITS.maxBytes} bytes`);
        out[rel] = text;
      }
    }
  };
  await walk(dir, 0);
  return out;
}
