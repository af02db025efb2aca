/**
 * A max-heap of placement candidates for `matchOffers`, in parallel typed arrays (no
 * object per entry): best score first, ties to the lower id rank — the same order as
 * `placeOne`'s `score > best.score || (score === best.score && id < best.id)`. Each entry
 * remembers the candidate's version when it was scored; a stale entry is skipped by the
 * caller, which pushes a fresh one whenever a candidate changes.
 */
export class CandidateHeap {
  private score: Float64Array;
  private cand: Int32Array;
  private ver: Int32Array;
  private n = 0;

  constructor(
    private readonly idRank: Int32Array,
    capacity = 16,
  ) {
    this.score = new Float64Array(Math.max(1, capacity));
    this.cand = new Int32Array(Math.max(1, capacity));
    this.ver = new Int32Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }

  clear(): void {
    this.n = 0;
  }

  topCandidate(): number {
    return this.cand[0]!;
  }
  topScore(): number {
    return this.score[0]!;
  }
  topVersion(): number {
    return this.ver[0]!;
  }

  /** a before b? */
  private before(i: number, j: number): boolean {
    const si = this.score[i]!;
    const sj = this.score[j]!;
    return si > sj || (si === sj && this.idRank[this.cand[i]!]! < this.idRank[this.cand[j]!]!);
  }

  private swap(i: number, j: number): void {
    const s = this.score[i]!;
    this.score[i] = this.score[j]!;
    this.score[j] = s;
    const c = this.cand[i]!;
    this.cand[i] = this.cand[j]!;
    this.cand[j] = c;
    const v = this.ver[i]!;
    this.ver[i] = this.ver[j]!;
    this.ver[j] = v;
  }

  private grow(): void {
    const cap = this.score.length * 2;
    const s = new Float64Array(cap);
    s.set(this.score);
    const c = new Int32Array(cap);
    c.set(this.cand);
    const v = new Int32Array(cap);
    v.set(this.ver);
    this.score = s;
    this.cand = c;
    this.ver = v;
  }

  /** Appends without ordering; call `heapify` after a batch of these. */
  append(score: number, cand: number, version: number): void {
    if (this.n === this.score.length) this.grow();
    this.score[this.n] = score;
    this.cand[this.n] = cand;
    this.ver[this.n] = version;
    this.n++;
  }

  /** Floyd's O(n) heap construction. */
  heapify(): void {
    for (let i = (this.n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  push(score: number, cand: number, version: number): void {
    this.append(score, cand, version);
    let i = this.n - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): void {
    this.n--;
    if (this.n > 0) {
      this.score[0] = this.score[this.n]!;
      this.cand[0] = this.cand[this.n]!;
      this.ver[0] = this.ver[this.n]!;
      this.down(0);
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) return;
      const r = l + 1;
      const m = r < this.n && this.before(r, l) ? r : l;
      if (!this.before(m, i)) return;
      this.swap(m, i);
      i = m;
    }
  }
}
