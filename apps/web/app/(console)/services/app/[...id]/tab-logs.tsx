'use client';
import { useState } from 'react';
import { AppLog } from '../../../../../components/task-logs';

/** The aggregated log of every instance (a task's own log is on its page). */
export function LogsTab({ id }: { id: string }) {
  // A new key re-subscribes: instances started since are followed too.
  const [generation, setGeneration] = useState(0);
  return <AppLog key={generation} appId={id} onReconnect={() => setGeneration((g) => g + 1)} />;
}
