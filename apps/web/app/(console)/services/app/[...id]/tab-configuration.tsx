'use client';
import Link from 'next/link';
import type { AppDetail } from '../../../../../lib/api-types';
import { formatCpus, formatMiB, formatTime } from '../../../../../lib/format';

type Definition = {
  cmd?: string; args?: string[]; cpus?: number; mem?: number; disk?: number; instances?: number;
  portDefinitions?: { port: number; name?: string; protocol?: string }[];
  env?: Record<string, string>; labels?: Record<string, string>; constraints?: string[][];
  healthChecks?: { protocol: string; path?: string; portIndex?: number; command?: { value: string }; gracePeriodSeconds?: number; intervalSeconds?: number; timeoutSeconds?: number; maxConsecutiveFailures?: number }[];
  upgradeStrategy?: { minimumHealthCapacity: number; maximumOverCapacity: number };
};

/** The definition as stored (defaults filled), read at a glance, with the whole JSON beside it. */
export function ConfigurationTab({ app }: { app: AppDetail }) {
  const d = app.definition as Definition;
  const kv = (record: Record<string, string> | undefined) => Object.entries(record ?? {});
  return (
    <div className="config">
      <div className="toolbar">
        <p className="muted">Version {formatTime(app.version)} · configuration changed {formatTime(app.versionInfo.lastConfigChangeAt)}</p>
        <Link className="button" href={`/services/edit${String((app.definition as { id?: string }).id ?? '')}`}>Edit the configuration</Link>
      </div>
      <dl className="facts-grid">
        <dt>Command</dt><dd><code>{d.cmd ?? d.args?.join(' ') ?? '—'}</code></dd>
        <dt>Resources per instance</dt><dd>{formatCpus(d.cpus ?? 0)}, {formatMiB(d.mem ?? 0)} memory, {formatMiB(d.disk ?? 0)} disk</dd>
        <dt>Instances</dt><dd>{d.instances ?? 0}</dd>
        <dt>Ports</dt>
        <dd>{d.portDefinitions?.length ? d.portDefinitions.map((p, i) => <span key={i} className="chip">{p.name ?? `port ${i}`}: {p.port === 0 ? 'any' : p.port}/{p.protocol ?? 'tcp'}</span>) : 'none'}</dd>
        <dt>Environment</dt><dd>{kv(d.env).length ? kv(d.env).map(([k, v]) => <span key={k} className="chip"><code>{k}={v}</code></span>) : 'none'}</dd>
        <dt>Labels</dt><dd>{kv(d.labels).length ? kv(d.labels).map(([k, v]) => <span key={k} className="chip">{k}:{v}</span>) : 'none'}</dd>
        <dt>Constraints</dt><dd>{d.constraints?.length ? d.constraints.map((c, i) => <span key={i} className="chip"><code>{c.join(' ')}</code></span>) : 'none'}</dd>
        <dt>Health checks</dt>
        <dd>
          {d.healthChecks?.length ? d.healthChecks.map((h, i) => (
            <div key={i}>
              {h.protocol} {h.command ? <code>{h.command.value}</code> : <>{h.path ?? ''} on port index {h.portIndex ?? 0}</>} — every {h.intervalSeconds ?? 60} s,
              timeout {h.timeoutSeconds ?? 20} s, grace {h.gracePeriodSeconds ?? 300} s, killed after {h.maxConsecutiveFailures ?? 3} failures
            </div>
          )) : 'none'}
        </dd>
        <dt>Upgrade strategy</dt>
        <dd>{d.upgradeStrategy ? `keep ≥ ${Math.round(d.upgradeStrategy.minimumHealthCapacity * 100)} % healthy, up to ${Math.round(d.upgradeStrategy.maximumOverCapacity * 100)} % extra` : '—'}</dd>
      </dl>
      <details>
        <summary>The whole definition (JSON)</summary>
        <pre className="code" tabIndex={0} aria-label="The definition as JSON">{JSON.stringify(app.definition, null, 2)}</pre>
      </details>
    </div>
  );
}
