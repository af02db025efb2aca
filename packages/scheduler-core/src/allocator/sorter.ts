/**
 * The fairness policy behind the allocator, after Mesos' `Sorter`: it only counts
 * allocations over a tree of clients (roles such as `team-a/web`, or frameworks inside
 * one role) and answers "in which order should clients be offered resources". No
 * offers, no agents, no time. Every implementation passes `sorter.contract.test.ts`.
 *
 * Hierarchy (Mesos semantics): clients `a` and `a/b` can coexist; `a`'s own allocation
 * sits in a virtual leaf `a/.` beside `a/b`, and `a`'s subtree share counts both.
 * Siblings are ordered against each other, then each subtree is visited in turn, so a
 * team's children never overtake another team that is further below its fair share.
 */
import type { ReadonlyScalarMap } from '../resources/scalars.js';

export interface Sorter {
  /** Adds a client (a `/`-separated path when the sorter is hierarchical). Active by default. */
  add(client: string): void;
  remove(client: string): void;
  contains(client: string): boolean;
  /** Inactive clients keep their allocation (it still counts) but are not visited. */
  activate(client: string): void;
  deactivate(client: string): void;
  isActive(client: string): boolean;
  /** Weight of a client or of an inner path (`team-a`); default 1. */
  updateWeight(path: string, weight: number): void;
  allocated(client: string, scalars: ReadonlyScalarMap): void;
  unallocated(client: string, scalars: ReadonlyScalarMap): void;
  /** The client's own allocation. */
  allocation(client: string): ReadonlyScalarMap;
  /** The pool that shares are measured against (Mesos: the cluster's total resources). */
  addTotal(scalars: ReadonlyScalarMap): void;
  removeTotal(scalars: ReadonlyScalarMap): void;
  /** Weighted dominant share of a client or inner path: max_k(alloc_k / total_k) / weight. */
  share(path: string): number;
  /** Active clients in offer order. */
  sort(): string[];
  /**
   * Visits active clients in offer order until `visit` returns `false`. Allocations made
   * during the walk are counted at once but reorder clients only for the next walk (the
   * order is a snapshot, as Mesos sorts once per agent).
   */
  forEachInOrder(visit: (client: string) => boolean | void): void;
  /** Number of clients. */
  readonly size: number;
}

export type SorterFactory = (options: { hierarchical: boolean }) => Sorter;
