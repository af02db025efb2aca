'use client';
import { TRPCClientError } from '@trpc/client';

/** How a failed read is told: unreachable API, refusal, absence, or anything else — each with what to do. */
export function describeError(error: unknown): { title: string; detail: string; retry: boolean } {
  const status = error instanceof TRPCClientError ? (error.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 502 || status === 503 || /fetch|network|unreachable/i.test(message)) {
    return { title: 'The Gantry API is unreachable', detail: `${message}. The console retries when you ask; live updates resume by themselves.`, retry: true };
  }
  if (status === 401) return { title: 'Your session has ended', detail: 'Sign in again to continue.', retry: false };
  if (status === 403) return { title: 'You may not see this', detail: message, retry: false };
  if (status === 404) return { title: 'Not found', detail: message, retry: false };
  return { title: 'Something went wrong', detail: message, retry: true };
}

export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { title, detail, retry } = describeError(error);
  return (
    <div className="banner" role="alert">
      <div>
        <strong>{title}</strong>
        <div>{detail}</div>
      </div>
      {retry && onRetry && <button type="button" onClick={onRetry}>Retry</button>}
      {title === 'Your session has ended' && <a href="/login">Sign in</a>}
    </div>
  );
}
