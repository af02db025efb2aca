/**
 * The tree of clients shared by every sorter: nodes keyed by path, subtree allocation
 * totals, weights, activity, and the virtual `.` leaf that carries an inner client's own
 * allocation (Mesos' hierarchical sorter layout). Ordering is the sorter's business.
 */
import type { ReadonlyScalarMap, ScalarMap } from '../resources/scalars.js';
import { addInto, subtractInto } from '../resources/scalars.js';

export class TreeNode {
  readonly children: TreeNode[] = [];
  readonly childByName = new Map<string, TreeNode>();
  readonly allocation: ScalarMap = new Map();
  /** Weighted dominant share, cached by the DRF sorter. */
  share = 0;
  weight = 1;
  active = true;
  /** The client this leaf stands for; `undefined` for inner nodes. */
  client: string | undefined;
  /** Sorter bookkeeping: waiting to be repositioned among its siblings. */
  pending = false;
  /** Removed from the tree (a stale entry in a sorter's pending list). */
  detached = false;

  constructor(
    /** Segment under the parent (`.` for a virtual leaf). */
    readonly name: string,
    /** Path used for weights and shares: `a/b`, or `a/.` for a's virtual leaf. */
    readonly path: string,
    public parent: TreeNode | undefined,
  ) {}

  isLeaf(): boolean {
    return this.client !== undefined;
  }
}

export class ClientTree {
  readonly root = new TreeNode('', '', undefined);
  private readonly leaves = new Map<string, TreeNode>();
  private readonly inner = new Map<string, TreeNode>();
  private readonly weights = new Map<string, number>();

  constructor(
    private readonly hierarchical: boolean,
    /** Called when a node is appended to its parent's children, so the sorter can place it. */
    private readonly onInsert: (node: TreeNode) => void,
    /** Called when a node leaves the tree. */
    private readonly onRemove: (node: TreeNode) => void,
  ) {}

  get size(): number {
    return this.leaves.size;
  }

  leaf(client: string): TreeNode {
    const node = this.leaves.get(client);
    if (!node) throw new RangeError(`unknown sorter client "${client}"`);
    return node;
  }

  hasLeaf(client: string): boolean {
    return this.leaves.has(client);
  }

  /** The node whose share answers `share(path)`: a leaf, or else an inner node. */
  node(path: string): TreeNode | undefined {
    const leaf = this.leaves.get(path);
    if (leaf) return leaf.name === '.' ? leaf.parent : leaf;
    return this.inner.get(path);
  }

  private segments(client: string): string[] {
    return this.hierarchical ? client.split('/') : [client];
  }

  private attach(parent: TreeNode, child: TreeNode): void {
    parent.childByName.set(child.name, child);
    parent.children.push(child);
    child.parent = parent;
    child.weight = this.weights.get(child.path) ?? 1;
    this.onInsert(child);
  }

  private detach(child: TreeNode): void {
    const parent = child.parent!;
    parent.childByName.delete(child.name);
    const i = parent.children.indexOf(child);
    if (i >= 0) parent.children.splice(i, 1);
    child.detached = true;
    this.onRemove(child);
  }

  add(client: string): void {
    if (this.leaves.has(client)) throw new RangeError(`sorter client "${client}" already exists`);
    const segs = this.segments(client);
    let node = this.root;
    let path = '';
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      path = path === '' ? seg : `${path}/${seg}`;
      const last = i === segs.length - 1;
      let child = node.childByName.get(seg);
      if (child && child.isLeaf() && !last) child = this.convertLeafToInner(child);
      if (!child) {
        child = new TreeNode(seg, path, node);
        if (last) {
          child.client = client;
          this.leaves.set(client, child);
        } else {
          this.inner.set(path, child);
        }
        this.attach(node, child);
        node = child;
        continue;
      }
      if (last) {
        // `client` names an existing inner node: its own allocation goes in a virtual leaf.
        const virtual = new TreeNode('.', `${path}/.`, child);
        virtual.client = client;
        this.leaves.set(client, virtual);
        this.attach(child, virtual);
      }
      node = child;
    }
  }

  /** `a` was a leaf and now gains children: it becomes inner, with `a/.` holding its own state. */
  private convertLeafToInner(leaf: TreeNode): TreeNode {
    const parent = leaf.parent!;
    const client = leaf.client!;
    this.detach(leaf);
    const inner = new TreeNode(leaf.name, leaf.path, parent);
    addInto(inner.allocation, leaf.allocation);
    this.inner.set(inner.path, inner);
    this.attach(parent, inner);
    const virtual = new TreeNode('.', `${leaf.path}/.`, inner);
    virtual.client = client;
    virtual.active = leaf.active;
    addInto(virtual.allocation, leaf.allocation);
    this.leaves.set(client, virtual);
    this.attach(inner, virtual);
    return inner;
  }

  remove(client: string): void {
    const leaf = this.leaf(client);
    this.leaves.delete(client);
    // Its allocation leaves every ancestor's subtree total.
    for (let n = leaf.parent; n && n !== this.root; n = n.parent) subtractInto(n.allocation, leaf.allocation);
    this.detach(leaf);
    let parent = leaf.parent!;
    while (parent !== this.root && parent.childByName.size === 0) {
      const up = parent.parent!;
      this.inner.delete(parent.path);
      this.detach(parent);
      parent = up;
    }
    // An inner node left holding only its virtual leaf collapses back into a plain leaf.
    if (parent !== this.root && parent.childByName.size === 1 && parent.childByName.has('.')) {
      const virtual = parent.childByName.get('.')!;
      const up = parent.parent!;
      this.detach(virtual);
      this.detach(parent);
      this.inner.delete(parent.path);
      const restored = new TreeNode(parent.name, parent.path, up);
      restored.client = virtual.client;
      restored.active = virtual.active;
      addInto(restored.allocation, virtual.allocation);
      this.leaves.set(restored.client!, restored);
      this.attach(up, restored);
    }
  }

  setWeight(path: string, weight: number): TreeNode | undefined {
    if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError(`weight must be a positive number, got ${weight}`);
    this.weights.set(path, weight);
    const node = this.inner.get(path) ?? this.leaves.get(path);
    const target = node && node.name === '.' ? node.parent : node;
    if (target) target.weight = weight;
    return target;
  }

  /** Adds `delta` to the leaf and every ancestor; returns the nodes whose totals changed. */
  allocate(client: string, delta: ReadonlyScalarMap, sign: 1 | -1, touched: (n: TreeNode) => void): void {
    for (let n: TreeNode | undefined = this.leaf(client); n && n !== this.root; n = n.parent) {
      if (sign === 1) addInto(n.allocation, delta);
      else subtractInto(n.allocation, delta);
      touched(n);
    }
  }

  allInner(): Iterable<TreeNode> {
    return this.inner.values();
  }

  allLeaves(): Iterable<TreeNode> {
    return this.leaves.values();
  }
}
