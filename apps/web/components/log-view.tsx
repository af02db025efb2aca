'use client';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { formatCount } from '../lib/format';

export interface LogLine {
  /** Running number, for keys. */
  n: number;
  /** The instance a line came from (aggregated view). */
  task?: string;
  text: string;
}

/** Lines kept in the browser per view: a log tail, not an archive (download gets the rest). */
export const MAX_LINES = 20_000;

/** Turns chunks (which split lines anywhere) into whole lines, per source. */
export class LineAssembler {
  private readonly partial = new Map<string, string>();
  private next = 0;

  push(source: string, data: string, task?: string): LogLine[] {
    const text = (this.partial.get(source) ?? '') + data;
    const parts = text.split('\n');
    this.partial.set(source, parts.pop() ?? '');
    return parts.map((line) => ({ n: this.next++, ...(task ? { task } : {}), text: line.replace(/\r$/, '') }));
  }

  /** What is left after the last newline (a line still being written). */
  pending(): LogLine[] {
    return [...this.partial.entries()].filter(([, t]) => t).map(([source, text]) => ({ n: this.next + source.length, task: source, text }));
  }
}

export function appendBounded(lines: LogLine[], more: LogLine[]): LogLine[] {
  if (!more.length) return lines;
  const all = lines.concat(more);
  return all.length > MAX_LINES ? all.slice(all.length - MAX_LINES) : all;
}

const ROW = 18;

/**
 * A log, live: the tail first, then every line as it is written (follow), searchable
 * (only matching lines are shown), downloadable, with the task id on every line in
 * the aggregated view. Virtualised with fixed-height lines, so 20,000 of them scroll
 * as smoothly as 20 and nothing shifts when lines arrive.
 */
export function LogView({ label, lines, follow, onFollow, file, onFile, status, onDownload, taskLabel, toolbarExtra }: {
  label: string;
  lines: LogLine[];
  follow: boolean;
  onFollow: (follow: boolean) => void;
  file: 'stdout' | 'stderr';
  onFile: (file: 'stdout' | 'stderr') => void;
  status: ReactNode;
  onDownload: () => void;
  taskLabel?: (task: string) => string;
  toolbarExtra?: ReactNode;
}) {
  const [search, setSearch] = useState('');
  const ids = useId();
  const body = useRef<HTMLDivElement>(null);
  const needle = search.trim().toLowerCase();
  const shown = useMemo(() => (needle ? lines.filter((l) => l.text.toLowerCase().includes(needle) || l.task?.toLowerCase().includes(needle)) : lines), [lines, needle]);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => body.current, estimateSize: () => ROW, overscan: 30, useFlushSync: false });
  useEffect(() => {
    if (follow && shown.length) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [follow, shown.length, virtualizer]);

  return (
    <div className="log">
      <div className="toolbar">
        <fieldset className="segmented">
          <legend className="sr-only">Log file</legend>
          {(['stdout', 'stderr'] as const).map((f) => (
            <label key={f} className={f === file ? 'on' : undefined}>
              <input type="radio" name={`${ids}-file`} value={f} checked={f === file} onChange={() => onFile(f)} /> {f}
            </label>
          ))}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => onFollow(e.target.checked)} /> Follow
        </label>
        <label className="field grow">
          <span className="sr-only">Search the log</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search the log" aria-label="Search the log" />
        </label>
        <button type="button" onClick={onDownload}>Download</button>
        {toolbarExtra}
      </div>
      <p className="summary" aria-live="polite">
        {needle ? `${formatCount(shown.length, 'line')} of ${lines.length.toLocaleString('en-US')} match` : formatCount(lines.length, 'line')}
        {lines.length >= MAX_LINES && ' (the newest are kept; download for the whole log)'} · {status}
      </p>
      <div ref={body} className="log-body" role="log" aria-label={label} tabIndex={0} data-testid="log-lines">
        {shown.length === 0 ? (
          <div className="log-empty">{needle ? 'No line matches the search.' : 'Nothing written yet.'}</div>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth: '100%' }}>
            {virtualizer.getVirtualItems().map((v) => {
              const line = shown[v.index]!;
              return (
                <div key={line.n} className="log-line" style={{ transform: `translateY(${v.start}px)` }}>
                  {line.task && <span className="log-task" title={line.task}>{taskLabel ? taskLabel(line.task) : line.task}</span>}
                  <span className="log-text">{line.text || '\u00a0'}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

/** Saves text as a file (the browser's download). */
export function saveText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
