'use client';
import { usePrincipal } from '../../../lib/iam-permissions';

/** What the signed-in user holds, for those who may not manage identities: their own grants and groups. */
export function YourPermissions() {
  const me = usePrincipal();
  if (!me.data) return null;
  const { uid, groups, grants } = me.data;
  return (
    <section aria-labelledby="you-title">
      <h2 id="you-title">Your permissions</h2>
      <p>
        You are <strong>{uid}</strong>
        {groups.length > 0 ? <>, in {groups.map((g) => <span key={g} className="chip">{g}</span>)}</> : null}.
      </p>
      {grants.length === 0 ? <p className="muted">You hold no permissions.</p> : (
        <table>
          <thead><tr><th scope="col">Resource</th><th scope="col">Action</th></tr></thead>
          <tbody>
            {grants.map((g) => <tr key={`${g.resource} ${g.action}`}><th scope="row"><code>{g.resource}</code></th><td>{g.action}</td></tr>)}
          </tbody>
        </table>
      )}
    </section>
  );
}
