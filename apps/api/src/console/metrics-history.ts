import { EventEmitter } from 'node:events';
import type { UsageMessage } from '@gantry/specs';
import type { CapacityTotals } from './console-repository.js';

/** cpus in cores, mem and disk in MiB (Mesos' units). */
export interface Resources3 {
  cpus: number;
  mem: number;
  disk: number;
}

/**
 * One point of the dashboard's capacity chart. `capacity`: what reachable nodes offer;
 * `allocated`: what their tasks hold (the allocator's view); `used`: what the tasks'
 * processes actually consume, from the agents' usage reports (null when no agent
 * reported, e.g. on a standby, which holds no agent connections).
 */
export interface MetricsSample {
  at: string;
  nodes: number;
  capacity: Resources3;
  allocated: Resources3;
  used: Resources3 | null;
}

export interface MetricsSources {
  totals: () => Promise<CapacityTotals>;
  activeAgentIds: () => Promise<string[]>;
  /** The latest usage report of an agent, if it sent one to this replica. */
  usage: (agentId: string) => UsageMessage | null;
  /** False once the replica is closing: no more samples (and no more queries). */
  open: () => boolean;
  now: () => Date;
}

export const DEFAULT_SAMPLE_MS = 10_000;
/** One hour at the default interval. Bounded: the history never grows past it. */
export const DEFAULT_SAMPLES = 360;

/**
 * A bounded ring of capacity samples, taken every `intervalMs` on every replica
 * (capacity and allocation come from Postgres; usage from the agents this replica
 * holds, so only the leader knows it). Kept in memory on purpose: it is a view for
 * people watching, not a metrics store; Prometheus scrapes `/metrics` for that.
 */
export class MetricsHistory {
  private readonly ring: (MetricsSample | undefined)[];
  private next = 0;
  private size = 0;
  private timer: NodeJS.Timeout | null = null;
  private sampling = false;
  private readonly emitter = new EventEmitter();
  /** Per agent, the last cumulative cpu seconds seen, to turn them into cores in use. */
  private readonly cpuSeen = new Map<string, { at: number; cpuSeconds: number }>();
  private readonly cpuRate = new Map<string, number>();

  constructor(
    private readonly sources: MetricsSources,
    readonly intervalMs = DEFAULT_SAMPLE_MS,
    readonly capacity = DEFAULT_SAMPLES,
  ) {
    this.ring = new Array(capacity);
    this.emitter.setMaxListeners(0);
  }

  /** Samples now, then every interval, while the replica is open. The timer never holds the process. */
  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (!this.sources.open()) {
        this.timer = null;
        return;
      }
      void this.sample();
      this.timer = setTimeout(tick, this.intervalMs);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Oldest first. */
  samples(): MetricsSample[] {
    const out: MetricsSample[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.ring[(this.next - this.size + i + this.capacity) % this.capacity]!);
    return out;
  }

  latest(): MetricsSample | null {
    return this.size ? this.ring[(this.next - 1 + this.capacity) % this.capacity]! : null;
  }

  /** Called after every new sample (the console's live stream tells browsers to fetch it). */
  onSample(listener: (sample: MetricsSample) => void): () => void {
    this.emitter.on('sample', listener);
    return () => this.emitter.off('sample', listener);
  }

  /** Takes one sample; overlapping calls are skipped (a slow database must not pile them up). */
  async sample(): Promise<MetricsSample | null> {
    if (this.sampling) return null;
    this.sampling = true;
    try {
      const [totals, agentIds] = await Promise.all([this.sources.totals(), this.sources.activeAgentIds()]);
      const point: MetricsSample = {
        at: this.sources.now().toISOString(), nodes: totals.nodes, capacity: totals.capacity, allocated: totals.allocated, used: this.used(agentIds),
      };
      this.push(point);
      this.emitter.emit('sample', point);
      return point;
    } catch (error) {
      if (this.sources.open()) console.error(`console metrics: sampling failed: ${(error as Error).message}`);
      return null;
    } finally {
      this.sampling = false;
    }
  }

  push(point: MetricsSample): void {
    this.ring[this.next] = point;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /**
   * Σ over reachable agents of their last report: resident memory and sandbox disk as
   * reported; cpu as Δ cpuSeconds / Δ wall time between two reports of the same agent.
   */
  private used(agentIds: readonly string[]): Resources3 | null {
    let reported = 0;
    const total: Resources3 = { cpus: 0, mem: 0, disk: 0 };
    for (const id of agentIds) {
      const usage = this.sources.usage(id);
      if (!usage) continue;
      reported++;
      const at = Date.parse(usage.timestamp);
      const seen = this.cpuSeen.get(id);
      if (seen && at > seen.at) {
        this.cpuRate.set(id, Math.max(0, (usage.totals.cpuSeconds - seen.cpuSeconds) / ((at - seen.at) / 1000)));
      }
      if (!seen || at > seen.at) this.cpuSeen.set(id, { at, cpuSeconds: usage.totals.cpuSeconds });
      total.cpus += this.cpuRate.get(id) ?? 0;
      total.mem += usage.totals.rssBytes / 2 ** 20;
      total.disk += (usage.totals.diskBytes + usage.totals.volumeBytes) / 2 ** 20;
    }
    return reported ? total : null;
  }
}
