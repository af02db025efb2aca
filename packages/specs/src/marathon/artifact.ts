import { z } from 'zod';
import { type UnknownFields, objectSchema } from './validation.js';

/**
 * Marathon's `fetch`: files put into a task's sandbox before it starts (Mesos
 * fetcher semantics: optionally extracted, made executable, cached per agent).
 */

export interface FetchArtifact {
  uri: string;
  extract: boolean;
  executable: boolean;
  cache: boolean;
  /** File name in the sandbox; by default the last segment of the URI. */
  destPath?: string;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const SUPPORTED_SCHEMES = new Set(['http', 'https', 'file']);

// Marathon (FetchUri.supportedFileTypes): the archive types the Mesos fetcher extracts.
const EXTRACTABLE = ['.tar', '.tar.gz', '.tar.bz2', '.tar.xz', '.gz', '.tgz', '.tbz2', '.txz', '.zip'];

const Uri = z.string().min(1).max(1024);

/**
 * Why a fetch URI cannot be fetched here, or undefined. Marathon hands any URI to the
 * Mesos fetcher (which also speaks hdfs://, s3:// and more through Hadoop); our agent
 * fetches local paths, file:// and http(s):// only, so anything else is refused now
 * rather than failing every launch later.
 */
export function fetchUriProblem(uri: string): string | undefined {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return undefined; // a path on the agent
  if (!SUPPORTED_SCHEMES.has(scheme)) {
    return `the scheme "${scheme}:" is not supported: use a local path, a file://, http:// or https:// URI`;
  }
  return URL.canParse(uri) ? undefined : `${JSON.stringify(uri)} is not a valid URI`;
}

/** Marathon's defaults (artifact.raml): extracted, not executable, not cached. */
export function artifactSchema(unknownFields: UnknownFields) {
  return objectSchema(unknownFields, {
    uri: Uri,
    extract: z.boolean().default(true),
    executable: z.boolean().default(false),
    cache: z.boolean().default(false),
    destPath: z.string().min(1).max(1024).optional(),
  }).transform((artifact, ctx): FetchArtifact => {
    const problem = fetchUriProblem(artifact.uri);
    if (problem !== undefined) {
      ctx.issues.push({ code: 'custom', path: ['uri'], message: problem, input: artifact.uri });
      return z.NEVER;
    }
    return artifact;
  });
}

/** A legacy `uris` entry. */
export const LegacyUri = Uri.superRefine((uri, ctx) => {
  const problem = fetchUriProblem(uri);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Marathon (AppNormalization.Artifacts): a legacy `uris` entry becomes a fetch entry,
 * extracted when its path ends in an archive type, never executable nor cached.
 */
export function artifactFromUri(uri: string): FetchArtifact {
  const path = uri.split(/[?#]/, 1)[0] ?? uri;
  return { uri, extract: EXTRACTABLE.some((type) => path.endsWith(type)), executable: false, cache: false };
}
