'use client';
import { RestError } from '../lib/rest';

/** What a failed read of the IAM API shows: a refusal says what is missing; anything else offers a retry. */
export function QueryState({ error, what, retry }: { error: unknown; what: string; retry?: () => void }) {
  if (error instanceof RestError && error.status === 403) {
    return <div className="empty" role="status"><p>You may not see {what}: {error.message}.</p></div>;
  }
  return (
    <div className="banner" role="alert">
      Could not load {what}: {error instanceof Error ? error.message : String(error)}
      {retry && <button type="button" onClick={retry}>Retry</button>}
    </div>
  );
}
