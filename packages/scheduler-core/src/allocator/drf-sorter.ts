/**
 * Hierarchical weighted Dominant Resource Fairness (Ghodsi et al., NSDI'11; Mesos'
 * `DRFSorter`).
 *
 *   share(node) = max over scalar kinds k of  allocation_k(subtree) / total_k,
 *                 divided by weight(node)
 *
 * Siblings are kept sorted by (share, path) — the lowest share is offered first, and
 * equal shares fall back to the path so the order is deterministic.
 *
 * Performance (what makes B1 fast): Mesos re-sorts every dirty sibling list with
 * O(n log n) per agent. Here an allocation only moves the leaf and its ancestors, so we
 * queue them and, before the next walk, pull each out of its sibling array and
 * binary-insert it back: O(depth · (log n + memmove)) per allocation. A change of the
 * total (an agent joining or leaving) changes every share, so it triggers one full
 * recompute before the next walk.
 */
import type { ReadonlyScalarMap, ScalarMap } from '../resources/scalars.js';
import { addInto, subtractInto } from '../resources/scalars.js';
import { ClientTree, type TreeNode } from './client-tree.js';
import type { Sorter } from './sorter.js';

function compare(a: TreeNode, b: TreeNode): number {
  return a.share - b.share || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * A total owned by someone else and shared by many sorters (the allocator's cluster
 * total, shared by every role's framework sorter): bump `version` on every change.
 */
export interface SharedTotal {
  readonly scalars: ScalarMap;
  version: number;
}

export class DrfSorter implements Sorter {
  private readonly tree: ClientTree;
  private readonly shared: SharedTotal;
  private seenVersion = -1;
  private fullResort = true;
  private pending: TreeNode[] = [];

  constructor(options: { hierarchical: boolean; total?: SharedTotal } = { hierarchical: true }) {
    this.shared = options.total ?? { scalars: new Map(), version: 0 };
    this.tree = new ClientTree(
      options.hierarchical,
      (n) => this.markPending(n),
      () => {
        this.fullResort = true;
      },
    );
  }

  get size(): number {
    return this.tree.size;
  }

  private markPending(n: TreeNode): void {
    if (!n.pending) {
      n.pending = true;
      this.pending.push(n);
    }
  }

  private computeShare(n: TreeNode): number {
    let max = 0;
    for (const [kind, milli] of n.allocation) {
      const t = this.shared.scalars.get(kind);
      if (t !== undefined && t > 0) {
        const s = milli / t;
        if (s > max) max = s;
      }
    }
    return max / n.weight;
  }

  private ensureSorted(): void {
    if (this.seenVersion !== this.shared.version) {
      this.seenVersion = this.shared.version;
      this.fullResort = true;
    }
    if (this.fullResort) {
      const resort = (n: TreeNode): void => {
        for (const c of n.children) {
          c.share = this.computeShare(c);
          c.pending = false;
          resort(c);
        }
        n.children.sort(compare);
      };
      resort(this.tree.root);
      this.pending = [];
      this.fullResort = false;
      return;
    }
    if (this.pending.length === 0) return;
    const byParent = new Map<TreeNode, TreeNode[]>();
    for (const n of this.pending) {
      if (n.detached || !n.parent) continue;
      n.share = this.computeShare(n);
      const list = byParent.get(n.parent);
      if (list) list.push(n);
      else byParent.set(n.parent, [n]);
    }
    for (const [parent, moved] of byParent) {
      const siblings = parent.children;
      if (moved.length * 8 >= siblings.length) {
        siblings.sort(compare);
        continue;
      }
      // Pull the moved nodes out (one compaction pass), then binary-insert each back.
      let w = 0;
      for (let r = 0; r < siblings.length; r++) {
        const c = siblings[r]!;
        if (!c.pending) siblings[w++] = c;
      }
      siblings.length = w;
      for (const n of moved) {
        let lo = 0;
        let hi = siblings.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (compare(siblings[mid]!, n) < 0) lo = mid + 1;
          else hi = mid;
        }
        siblings.splice(lo, 0, n);
      }
    }
    for (const n of this.pending) n.pending = false;
    this.pending = [];
  }

  add(client: string): void {
    this.tree.add(client);
  }

  remove(client: string): void {
    this.tree.remove(client);
    this.fullResort = true;
  }

  contains(client: string): boolean {
    return this.tree.hasLeaf(client);
  }

  activate(client: string): void {
    this.tree.leaf(client).active = true;
  }

  deactivate(client: string): void {
    this.tree.leaf(client).active = false;
  }

  isActive(client: string): boolean {
    return this.tree.leaf(client).active;
  }

  updateWeight(path: string, weight: number): void {
    const node = this.tree.setWeight(path, weight);
    if (node) this.markPending(node);
  }

  allocated(client: string, scalars: ReadonlyScalarMap): void {
    this.tree.allocate(client, scalars, 1, (n) => this.markPending(n));
  }

  unallocated(client: string, scalars: ReadonlyScalarMap): void {
    this.tree.allocate(client, scalars, -1, (n) => this.markPending(n));
  }

  allocation(client: string): ReadonlyScalarMap {
    return this.tree.leaf(client).allocation;
  }

  addTotal(scalars: ReadonlyScalarMap): void {
    addInto(this.shared.scalars, scalars);
    this.shared.version++;
  }

  removeTotal(scalars: ReadonlyScalarMap): void {
    subtractInto(this.shared.scalars, scalars);
    this.shared.version++;
  }

  share(path: string): number {
    const node = this.tree.node(path);
    return node ? this.computeShare(node) : 0;
  }

  sort(): string[] {
    const out: string[] = [];
    this.forEachInOrder((c) => {
      out.push(c);
    });
    return out;
  }

  forEachInOrder(visit: (client: string) => boolean | void): void {
    this.ensureSorted();
    const walk = (n: TreeNode): boolean => {
      for (const c of n.children) {
        if (c.client !== undefined) {
          if (c.active && visit(c.client) === false) return false;
        } else if (!walk(c)) {
          return false;
        }
      }
      return true;
    };
    walk(this.tree.root);
  }
}
