/**
 * A value recomputed only when something changed: the services index (every app's
 * status from 50,000 tasks) is asked for by every open console on every change, and
 * is the same for all of them until the next cluster event. `invalidate()` is called
 * on every such event; `maxAgeMs` bounds what no event announces (the launch queue's
 * delays and offer verdicts, which live in the leader's memory).
 */
export class Fresh<T> {
  private value: T | undefined;
  private loading: Promise<T> | null = null;
  private at = 0;
  private generation = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  invalidate(): void {
    this.generation++;
    this.value = undefined;
  }

  async get(): Promise<T> {
    if (this.value !== undefined && this.clock() - this.at < this.maxAgeMs) return this.value;
    if (this.loading) return this.loading;
    const generation = this.generation;
    const started = this.clock();
    this.loading = this.load().then((value) => {
      // A change during the load may not be in it: keep it only if nothing happened meanwhile.
      if (generation === this.generation) {
        this.value = value;
        this.at = started;
      }
      return value;
    }).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }
}
