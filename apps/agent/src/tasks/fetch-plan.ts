import type { TaskFetch } from '@gantry/specs';
import { containerPath } from '../volumes/container-path.js';

export type ArtifactPlan =
  | {
    ok: true;
    source: { kind: 'file'; path: string } | { kind: 'http'; url: string };
    /** Where it lands, relative to the sandbox. */
    file: string;
    extract: boolean;
    archive: 'tar' | 'zip' | null;
    executable: boolean;
  }
  | { ok: false; error: string };

const ARCHIVES: readonly [suffix: string, kind: 'tar' | 'zip'][] = [
  ['.tar.gz', 'tar'], ['.tgz', 'tar'], ['.tar.bz2', 'tar'], ['.tbz2', 'tar'], ['.tar.xz', 'tar'], ['.txz', 'tar'], ['.tar', 'tar'], ['.zip', 'zip'],
];

/**
 * What fetching one artifact means, decided before anything is touched: where it comes
 * from (local path, `file://`, or `http(s)://` — nothing else), the file it becomes in
 * the sandbox (the URI's last segment unless `destPath` names one; never outside the
 * sandbox), and whether it is an archive to extract (Mesos: by suffix).
 */
export function artifactPlan(artifact: TaskFetch): ArtifactPlan {
  let source: { kind: 'file'; path: string } | { kind: 'http'; url: string };
  let name: string;
  if (artifact.uri.startsWith('/')) {
    source = { kind: 'file', path: artifact.uri };
    name = artifact.uri;
  } else {
    let url: URL;
    try {
      url = new URL(artifact.uri);
    } catch {
      return { ok: false, error: `"${artifact.uri}" is neither an absolute path nor a URL` };
    }
    if (url.protocol === 'file:') source = { kind: 'file', path: decodeURIComponent(url.pathname) };
    else if (url.protocol === 'http:' || url.protocol === 'https:') source = { kind: 'http', url: url.toString() };
    else return { ok: false, error: `${artifact.uri}: only local paths, file:// and http(s):// URIs can be fetched` };
    name = decodeURIComponent(url.pathname);
  }
  const base = artifact.destPath ?? name.split('/').filter(Boolean).at(-1) ?? '';
  if (!base) return { ok: false, error: `${artifact.uri} names no file; give the artifact a destPath` };
  const place = containerPath(base);
  if (!place.ok) return { ok: false, error: `${artifact.uri}: ${place.error.replace('containerPath', 'destPath')}` };
  const archive = ARCHIVES.find(([suffix]) => place.relative.endsWith(suffix))?.[1] ?? null;
  return { ok: true, source, file: place.relative, extract: artifact.extract && archive !== null, archive, executable: artifact.executable };
}
