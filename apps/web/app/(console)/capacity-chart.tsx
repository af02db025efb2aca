'use client';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CapacityHistory } from '../../lib/api-types';

type Sample = CapacityHistory['samples'][number];

/** One resource over the last hour: what nodes offer, what tasks hold, what they use. */
/** Axis ticks: short (160k cores, 625 TiB); the tooltip has the exact figures. */
function compact(resource: 'cpus' | 'mem' | 'disk', n: number): string {
  if (resource === 'cpus') return n >= 1000 ? `${Number((n / 1000).toFixed(1))}k` : `${Number(n.toFixed(2))}`;
  if (n >= 1024 * 1024) return `${Number((n / 1024 / 1024).toFixed(1))} TiB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} GiB`;
  return `${Math.round(n)} MiB`;
}

export default function CapacityChart({ samples, resource, format }: { samples: Sample[]; resource: 'cpus' | 'mem' | 'disk'; format: (n: number) => string }) {
  const data = samples.map((s) => ({
    t: Date.parse(s.at), capacity: s.capacity[resource], allocated: s.allocated[resource], used: s.used ? s.used[resource] : null,
  }));
  const time = (t: number) => new Date(t).toISOString().slice(11, 16);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid className="chart-grid" strokeDasharray="3 3" />
        <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={time} className="chart-axis" minTickGap={40} />
        <YAxis tickFormatter={(n: number) => compact(resource, n)} width={76} className="chart-axis" label={resource === 'cpus' ? { value: 'cores', angle: -90, position: 'insideLeft', className: 'chart-axis' } : undefined} />
        <Tooltip labelFormatter={(t) => `${time(Number(t))} UTC`} formatter={(v) => format(Number(v))} contentStyle={{ background: 'var(--panel)', border: '1px solid var(--line)', color: 'var(--text)' }} />
        <Legend />
        <Line type="stepAfter" dataKey="capacity" name="Capacity" stroke="var(--chart-capacity)" dot={false} isAnimationActive={false} strokeWidth={2} />
        <Line type="stepAfter" dataKey="allocated" name="Allocated" stroke="var(--chart-allocated)" dot={false} isAnimationActive={false} strokeWidth={2} />
        <Line type="monotone" dataKey="used" name="Used" stroke="var(--chart-used)" dot={false} isAnimationActive={false} strokeWidth={2} connectNulls={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}
