'use client';
import { useQueries, type UseQueryOptions, type UseQueryResult } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRouter } from 'next/navigation';
import { memo, useCallback, useEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';

export interface Page<T> {
  total: number;
  rows: T[];
}

export interface Column<T> {
  key: string;
  header: string;
  /** A CSS grid track: `minmax(12rem, 2fr)`, `7rem`. */
  width: string;
  /** The server's sort key for this column, when it sorts. */
  sort?: string;
  align?: 'end';
  /** The cell that names the row (announced as the row's header). */
  rowHeader?: boolean;
  cell: (row: T) => ReactNode;
}

export interface VirtualTableProps<T> {
  /** The table's accessible name. */
  label: string;
  columns: Column<T>[];
  /** Query options of page `index` (rows `index × pageSize` on): `trpc.….queryOptions({offset, limit})`. */
  page: (index: number) => { queryKey: readonly unknown[] };
  pageSize: number;
  rowHeight?: number;
  /** Page 0 as the server rendered it. */
  initial?: Page<T>;
  rowKey: (row: T) => string;
  /** Where Enter on a focused row goes. */
  rowHref?: (row: T) => string;
  sort?: { key: string; dir: 'asc' | 'desc'; onSort: (key: string) => void };
  empty: ReactNode;
  /** Height of the scrolling body (CSS). */
  height?: string;
  testId?: string;
  /** Told the row count whenever it changes (for a summary line outside the table). */
  onTotal?: (total: number) => void;
}

/** Rows the server renders before the browser has measured anything. */
const FIRST_SCREEN_ROWS = 16;

/**
 * A table of any length: the server pages it (`pageSize` rows a request) and only the
 * rows in view exist in the DOM (@tanstack/react-virtual). Pages scrolled past are no
 * longer observed and TanStack Query drops them after its gcTime, so memory stays flat
 * however far one scrolls. Rows have a fixed height and placeholders keep their place
 * while their page loads: nothing moves when data arrives.
 *
 * Keyboard: the body is one tab stop; ↑ ↓ PageUp PageDown Home End move between rows,
 * Enter opens the focused row. Screen readers get `role="table"` with the full row
 * count and each row's index.
 */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { columns, pageSize, initial, sort } = props;
  const rowHeight = props.rowHeight ?? 40;
  const router = useRouter();
  const body = useRef<HTMLDivElement>(null);
  const template = columns.map((c) => c.width).join(' ');
  const style = { '--vt-columns': template, '--vt-row': `${rowHeight}px` } as CSSProperties;

  // The row count last seen from the server (the first page rendered with the page, if any).
  const [known, setKnown] = useState(initial?.total ?? 0);
  const virtualizer = useVirtualizer({
    count: known,
    getScrollElement: () => body.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    initialRect: { width: 1200, height: FIRST_SCREEN_ROWS * rowHeight },
    // Scrolling re-renders in React's own time, not synchronously inside the scroll event.
    useFlushSync: false,
  });
  const range = virtualizer.getVirtualItems();
  const indexes = range.length ? [...new Set(range.map((v) => Math.floor(v.index / pageSize)))] : [0];
  const results = useQueries({
    queries: indexes.map((index) => {
      const options = props.page(index) as UseQueryOptions<Page<T>>;
      // Pages out of view are dropped soon after: memory stays flat however far one scrolls.
      return { gcTime: 15_000, ...options, ...(index === 0 && initial ? { initialData: initial } : {}) };
    }),
  }) as UseQueryResult<Page<T>>[];
  const loaded = results.find((r) => r.data)?.data;
  const total = loaded?.total ?? known;
  // Derived state, adjusted while rendering (React re-renders at once, before painting).
  if (total !== known) setKnown(total);
  const items = range;
  const { onTotal } = props;
  const haveTotal = loaded !== undefined;
  useEffect(() => {
    if (haveTotal) onTotal?.(total);
  }, [haveTotal, total, onTotal]);
  const rowAt = (index: number): T | undefined => {
    const slot = indexes.indexOf(Math.floor(index / pageSize));
    return slot === -1 ? undefined : results[slot]?.data?.rows[index % pageSize];
  };
  const failed = results.find((r) => r.isError && !r.data);

  const focusRow = useCallback((index: number) => {
    const target = Math.max(0, Math.min(total - 1, index));
    virtualizer.scrollToIndex(target, { align: 'auto' });
    // The row exists once the virtualiser has rendered that far: a far jump (End) takes a few frames.
    const focus = (tries: number) => requestAnimationFrame(() => {
      const row = body.current?.querySelector<HTMLElement>(`[data-index="${target}"]`);
      if (row) row.focus({ preventScroll: true });
      else if (tries > 0) focus(tries - 1);
      else body.current?.focus();
    });
    focus(20);
  }, [total, virtualizer]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const current = Number((document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-index]')?.dataset.index ?? -1);
    const perScreen = Math.max(1, Math.floor((body.current?.clientHeight ?? 400) / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: current + 1, ArrowUp: current - 1, PageDown: current + perScreen, PageUp: current - perScreen, Home: 0, End: total - 1,
    };
    if (event.key in moves && total > 0) {
      if ((event.target as HTMLElement).closest('a, button, input') && (event.key === 'Home' || event.key === 'End')) return;
      event.preventDefault();
      focusRow(current === -1 && event.key === 'ArrowUp' ? 0 : moves[event.key]!);
      return;
    }
    if (event.key === 'Enter' && props.rowHref && (event.target as HTMLElement).dataset.index !== undefined) {
      const row = rowAt(Number((event.target as HTMLElement).dataset.index));
      if (row) router.push(props.rowHref(row));
    }
  };

  return (
    <div className="vt" style={style} data-testid={props.testId}>
      <div role="table" aria-label={props.label} aria-rowcount={total + 1}>
        <div role="rowgroup" className="vt-head">
          <div role="row" aria-rowindex={1} className="vt-row">
            {columns.map((c) => {
              const active = sort && c.sort && sort.key === c.sort;
              return (
                <div key={c.key} role="columnheader" className={c.align === 'end' ? 'vt-cell end' : 'vt-cell'}
                  aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : c.sort ? 'none' : undefined}>
                  {sort && c.sort ? (
                    <button type="button" className="vt-sort" onClick={() => sort.onSort(c.sort!)}>
                      {c.header}
                      <span aria-hidden="true" className="vt-arrow">{active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}</span>
                    </button>
                  ) : c.header}
                </div>
              );
            })}
          </div>
        </div>
        <div ref={body} role="rowgroup" className="vt-body" style={{ height: props.height ?? 'min(70vh, 640px)' }}
          tabIndex={0} aria-label={`${props.label}: use the arrow keys to move between rows`} onKeyDown={onKeyDown}>
          {failed ? (
            <div className="vt-message" role="alert">
              Could not load these rows: {failed.error?.message}
              <button type="button" onClick={() => void failed.refetch()}>Retry</button>
            </div>
          ) : total === 0 && loaded ? (
            <div className="vt-message">{props.empty}</div>
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((v) => {
                const row = rowAt(v.index);
                return <Row key={row ? props.rowKey(row) : `placeholder-${v.index}`} row={row} index={v.index} start={v.start} columns={columns} />;
              })}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

/**
 * One row. Memoised: a row re-renders only when its data, its place or the columns
 * change — not on every keystroke or scroll of the table around it (INP).
 */
const Row = memo(function Row<T>({ row, index, start, columns }: { row: T | undefined; index: number; start: number; columns: Column<T>[] }) {
  return (
    <div role="row" aria-rowindex={index + 2} data-index={index} tabIndex={-1} className={row ? 'vt-row' : 'vt-row vt-placeholder'} style={{ transform: `translateY(${start}px)` }}>
      {columns.map((c) => (
        <div key={c.key} role={c.rowHeader ? 'rowheader' : 'cell'} className={c.align === 'end' ? 'vt-cell end' : 'vt-cell'}>
          {row ? c.cell(row) : <span className="skeleton" aria-hidden="true" />}
        </div>
      ))}
    </div>
  );
}) as <T>(props: { row: T | undefined; index: number; start: number; columns: Column<T>[] }) => ReactNode;
