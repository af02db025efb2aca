'use client';
import { useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { formatBytes, shortTaskId } from '../lib/format';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { appendBounded, LineAssembler, LogView, saveText, type LogLine } from './log-view';
import { describeError } from './query-error';

const TAIL = 64 * 1024;

/** One task's stdout or stderr: its last 64 KiB, then followed live from where that ends. */
export function TaskLog({ taskId }: { taskId: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [file, setFile] = useState<'stdout' | 'stderr'>('stdout');
  const [follow, setFollow] = useState(true);
  const [lines, setLines] = useState<LogLine[]>([]);
  const assembler = useRef(new LineAssembler());
  const tail = useQuery({ ...trpc.tasks.log.queryOptions({ id: taskId, file, length: TAIL }), staleTime: Infinity, gcTime: 0, retry: false });
  const [from, setFrom] = useState<number | null>(null);

  useEffect(() => {
    assembler.current = new LineAssembler();
    setLines([]);
    setFrom(null);
  }, [file, taskId]);
  useEffect(() => {
    if (!tail.data) return;
    // Skip a first line cut in half by the tail's start.
    const data = tail.data.offset > 0 ? tail.data.data.slice(tail.data.data.indexOf('\n') + 1) : tail.data.data;
    setLines(assembler.current.push('t', data));
    setFrom(tail.data.offset + new TextEncoder().encode(tail.data.data).length);
  }, [tail.data]);

  const stream = useSubscription(trpc.tasks.follow.subscriptionOptions(
    { id: taskId, file, offset: from ?? 0 },
    { enabled: follow && from !== null, onData: (chunk) => setLines((all) => appendBounded(all, assembler.current.push('t', chunk.data))) },
  ));

  const download = async () => {
    let offset = 0;
    const parts: string[] = [];
    for (let i = 0; i < 64; i++) {
      const chunk = await client.tasks.log.query({ id: taskId, file, offset, length: 1024 * 1024 });
      if (!chunk.data) break;
      parts.push(chunk.data);
      offset += new TextEncoder().encode(chunk.data).length;
      if (offset >= chunk.size) break;
    }
    saveText(`${taskId}.${file}.log`, parts.join(''));
  };

  const status = tail.isError ? <span role="alert" className="bad">{describeError(tail.error).title}: {tail.error.message}</span>
    : !tail.data ? 'loading the tail…'
      : stream.status === 'error' ? <span className="bad">following stopped: {stream.error?.message}</span>
        : follow ? (stream.status === 'pending' ? `following (${formatBytes(tail.data.size)} so far)` : 'connecting…')
          : `paused at ${formatBytes(from ?? 0)}`;
  const all = [...lines, ...assembler.current.pending()];
  return <LogView label={`${file} of task ${taskId}`} lines={all} follow={follow} onFollow={setFollow} file={file} onFile={setFile} status={status} onDownload={() => void download()} />;
}

/** Every live instance of a service, interleaved as written, each line carrying its task id. */
export function AppLog({ appId, onReconnect }: { appId: string; onReconnect: () => void }) {
  const trpc = useTRPC();
  const [file, setFile] = useState<'stdout' | 'stderr'>('stdout');
  const [follow, setFollow] = useState(true);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [tasks, setTasks] = useState<string[] | null>(null);
  const assembler = useRef(new LineAssembler());

  useEffect(() => {
    assembler.current = new LineAssembler();
    setLines([]);
    setTasks(null);
  }, [file, appId]);
  const stream = useSubscription(trpc.tasks.followApp.subscriptionOptions(
    { appId, file, tail: 8 * 1024 },
    {
      enabled: follow,
      onData: (chunk) => {
        if (chunk.tasks) return setTasks(chunk.tasks);
        if (chunk.taskId) setLines((all) => appendBounded(all, assembler.current.push(chunk.taskId!, chunk.data, chunk.taskId!)));
      },
    },
  ));
  const status = stream.status === 'error' ? <span role="alert" className="bad">{stream.error?.message}</span>
    : tasks === null ? (follow ? 'connecting…' : 'paused')
      : tasks.length === 0 ? 'no instance is running'
        : `${follow ? 'following' : 'paused'}: ${tasks.length} ${tasks.length === 1 ? 'instance' : 'instances'}`;
  return (
    <LogView
      label={`${file} of every instance of ${appId}`}
      lines={lines}
      follow={follow}
      onFollow={(f) => setFollow(f)}
      file={file}
      onFile={setFile}
      status={status}
      taskLabel={shortTaskId}
      onDownload={() => saveText(`${appId.slice(1).replace(/\//g, '_')}.${file}.log`, lines.map((l) => `${l.task ?? ''} ${l.text}`).join('\n') + '\n')}
      toolbarExtra={<button type="button" onClick={onReconnect}>Follow the current instances</button>}
    />
  );
}
