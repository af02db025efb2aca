/**
 * Weighted random order (Mesos' `RandomSorter`, `--role_sorter=random`): at every
 * level of the tree, siblings are shuffled with probability proportional to weight
 * (Efraimidis–Spirakis keys u^(1/w)), ignoring allocations. Useful when fairness over
 * time matters less than spreading; the randomness comes from a seeded source so a
 * run replays exactly.
 */
import { SeededRandom } from '../random/seeded-random.js';
import type { ReadonlyScalarMap, ScalarMap } from '../resources/scalars.js';
import { addInto, subtractInto } from '../resources/scalars.js';
import { ClientTree, type TreeNode } from './client-tree.js';
import type { Sorter } from './sorter.js';

export class RandomSorter implements Sorter {
  private readonly tree: ClientTree;
  private readonly total: ScalarMap = new Map();
  private readonly random: SeededRandom;

  constructor(options: { hierarchical: boolean; seed?: number } = { hierarchical: true }) {
    this.tree = new ClientTree(options.hierarchical, () => undefined, () => undefined);
    this.random = new SeededRandom(options.seed ?? 0);
  }

  get size(): number {
    return this.tree.size;
  }

  add(client: string): void {
    this.tree.add(client);
  }

  remove(client: string): void {
    this.tree.remove(client);
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
    this.tree.setWeight(path, weight);
  }

  allocated(client: string, scalars: ReadonlyScalarMap): void {
    this.tree.allocate(client, scalars, 1, () => undefined);
  }

  unallocated(client: string, scalars: ReadonlyScalarMap): void {
    this.tree.allocate(client, scalars, -1, () => undefined);
  }

  allocation(client: string): ReadonlyScalarMap {
    return this.tree.leaf(client).allocation;
  }

  addTotal(scalars: ReadonlyScalarMap): void {
    addInto(this.total, scalars);
  }

  removeTotal(scalars: ReadonlyScalarMap): void {
    subtractInto(this.total, scalars);
  }

  share(path: string): number {
    const node = this.tree.node(path);
    if (!node) return 0;
    let max = 0;
    for (const [kind, milli] of node.allocation) {
      const t = this.total.get(kind);
      if (t !== undefined && t > 0) max = Math.max(max, milli / t);
    }
    return max / node.weight;
  }

  sort(): string[] {
    const out: string[] = [];
    this.forEachInOrder((c) => {
      out.push(c);
    });
    return out;
  }

  private shuffled(children: readonly TreeNode[]): TreeNode[] {
    // Children arrive in insertion order; sort by path first so the draw is order-independent.
    const base = [...children].sort((a, b) => (a.path < b.path ? -1 : 1));
    const keyed = base.map((n) => ({ n, key: Math.pow(this.random.next() || Number.MIN_VALUE, 1 / n.weight) }));
    keyed.sort((a, b) => b.key - a.key);
    return keyed.map((k) => k.n);
  }

  forEachInOrder(visit: (client: string) => boolean | void): void {
    const walk = (n: TreeNode): boolean => {
      for (const c of this.shuffled(n.children)) {
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
