import { capitalize, formatTaskState } from '../lib/format';

/** Status words with a shape beside the colour, so they read without colour too. */

const STATUS_GLYPH: Record<string, string> = { running: '●', deploying: '◐', waiting: '◌', delayed: '⏸', suspended: '○' };

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}><span aria-hidden="true">{STATUS_GLYPH[status] ?? '●'}</span> {capitalize(status)}</span>;
}

const HEALTH_TEXT: Record<string, string> = { healthy: 'Healthy', unhealthy: 'Unhealthy', unknown: 'Health unknown', none: 'No health checks' };
const HEALTH_GLYPH: Record<string, string> = { healthy: '✓', unhealthy: '✕', unknown: '?', none: '–' };

export function HealthBadge({ health }: { health: string }) {
  return <span className={`badge health-${health}`}><span aria-hidden="true">{HEALTH_GLYPH[health] ?? '?'}</span> {HEALTH_TEXT[health] ?? health}</span>;
}

export function TaskStateBadge({ state, healthy }: { state: string; healthy?: boolean | null }) {
  const tone = state === 'TASK_RUNNING' ? (healthy === false ? 'bad' : 'ok') : ['TASK_FAILED', 'TASK_ERROR', 'TASK_LOST', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_DROPPED'].includes(state) ? 'bad' : 'muted';
  return <span className={`badge tone-${tone}`}>{formatTaskState(state)}</span>;
}

export function TaskHealth({ healthy, checked = true }: { healthy: boolean | null; checked?: boolean }) {
  if (!checked) return <span className="muted">—</span>;
  if (healthy === null) return <span className="badge health-unknown"><span aria-hidden="true">?</span> Not checked yet</span>;
  return healthy
    ? <span className="badge health-healthy"><span aria-hidden="true">✓</span> Healthy</span>
    : <span className="badge health-unhealthy"><span aria-hidden="true">✕</span> Unhealthy</span>;
}

export function NodeStateBadge({ state, mode }: { state: string; mode: string }) {
  if (state === 'UNREACHABLE') return <span className="badge tone-bad"><span aria-hidden="true">✕</span> Unreachable</span>;
  if (mode === 'DRAINING') return <span className="badge tone-warn"><span aria-hidden="true">⇣</span> Draining</span>;
  return <span className="badge tone-ok"><span aria-hidden="true">●</span> Active</span>;
}
