import { inflateRawSync } from 'node:zlib';

/**
 * Reads the files of a zip archive (PKWARE APPNOTE: the end-of-central-directory record,
 * then each central directory entry and its local header), stored or deflated — what
 * `zip`, GitHub's archive downloads and Universe's old repository zips produce. Enough
 * for a package repository; no zip64, no encryption (refused with a reason).
 *
 * `keep(path)` picks the entries to inflate; limits bound what an archive may expand to.
 */
export class ZipError extends Error {
  override name = 'ZipError';
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export interface ZipLimits {
  maxEntries: number;
  /** Total uncompressed bytes of the entries kept. */
  maxBytes: number;
}

export function readZip(data: Buffer, keep: (path: string) => boolean, limits: ZipLimits): Record<string, string> {
  // The EOCD record is the last 22 bytes, unless a comment (≤ 64 KiB) follows it.
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (data.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a zip archive (no end of central directory record)');
  const count = data.readUInt16LE(eocd + 10);
  let offset = data.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new ZipError('zip64 archives are not supported');
  if (count > limits.maxEntries) throw new ZipError(`the archive has ${count} entries, more than ${limits.maxEntries}`);

  const out: Record<string, string> = {};
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (offset + 46 > data.length || data.readUInt32LE(offset) !== CENTRAL) throw new ZipError('corrupt central directory');
    const flags = data.readUInt16LE(offset + 8);
    const method = data.readUInt16LE(offset + 10);
    const compressed = data.readUInt32LE(offset + 20);
    const size = data.readUInt32LE(offset + 24);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const local = data.readUInt32LE(offset + 42);
    const path = data.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    offset += 46 + nameLength + extraLength + commentLength;

    if (path.endsWith('/') || !keep(path)) continue;
    if (flags & 1) throw new ZipError(`${path} is encrypted`);
    total += size;
    if (total > limits.maxBytes) throw new ZipError(`the archive's package files expand to more than ${limits.maxBytes} bytes`);
    if (local + 30 > data.length || data.readUInt32LE(local) !== LOCAL) throw new ZipError(`corrupt local header of ${path}`);
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const raw = data.subarray(start, start + compressed);
    let content: Buffer;
    if (method === 0) content = raw;
    else if (method === 8) {
      try {
        content = inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
      } catch (e) {
        throw new ZipError(`${path} cannot be inflated: ${(e as Error).message}`);
      }
    } else throw new ZipError(`${path} uses compression method ${method}; only stored and deflated entries are read`);
    out[path] = content.toString('utf8');
  }
  return out;
}
