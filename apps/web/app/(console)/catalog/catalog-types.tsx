import type { ApiOut } from '../../../lib/api-types';

/** The catalog API's answers, as the Catalog pages name them. */
export type PackageSummary = ApiOut['catalog']['search']['packages'][number];
export type PackageDescription = ApiOut['catalog']['describe'];
export type InstallRow = ApiOut['catalog']['installs']['installs'][number];
export type StatefulService = ApiOut['catalog']['stateful']['get'];
export type PlanView = StatefulService['plans'][number];
export type PodView = StatefulService['pods'][number];
export type FieldErrors = { path: string; errors: string[] };
/** A change refused as a value (409/422), as every catalog mutation may answer. */
export type Refusal = { ok: false; status: number; message: string; details: FieldErrors[]; deployments: string[] };

/** Where the Catalog's pages live. Service ids are absolute paths (`/data/postgresql`). */
export const packageHref = (name: string, version?: string) => `/catalog/packages/${encodeURIComponent(name)}${version ? `?version=${encodeURIComponent(version)}` : ''}`;
export const statefulHref = (id: string) => `/catalog/services${id}`;
export const installedHref = '/catalog/installed';

/** Step, phase and plan statuses (the SDK's) as badge tones: the word is always shown beside the tone. */
export function statusTone(status: string): 'ok' | 'bad' | 'warn' | 'muted' | 'busy' {
  switch (status) {
    case 'COMPLETE':
    case 'RUNNING':
      return 'ok';
    case 'ERROR':
    case 'LOST':
      return 'bad';
    case 'WAITING':
    case 'REPLACING':
    case 'RESTARTING':
    case 'UNINSTALLING':
    case 'STOPPED':
      return 'warn';
    case 'PENDING':
      return 'muted';
    default:
      return 'busy';
  }
}

const GLYPH: Record<string, string> = { ok: '●', bad: '✕', warn: '◌', muted: '○', busy: '◐' };

export function StatusWord({ status }: { status: string }) {
  const tone = statusTone(status);
  const text = status.replace(/_/g, ' ').toLowerCase();
  return <span className={`badge tone-${tone === 'busy' ? 'warn' : tone}`} data-status={status}><span aria-hidden="true">{GLYPH[tone]}</span> {text.charAt(0).toUpperCase() + text.slice(1)}</span>;
}
