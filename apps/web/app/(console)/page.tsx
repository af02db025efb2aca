import { prefetch, serverTrpc } from '../../lib/server-trpc';
import { DashboardView } from './dashboard-view';

export const metadata = { title: 'Dashboard · Gantry' };
export const dynamic = 'force-dynamic';

/** The cluster at a glance, rendered with its figures; the charts draw once the page is live. */
export default async function Dashboard() {
  const trpc = await serverTrpc();
  const [summary, capacity] = await Promise.all([prefetch(() => trpc.dashboard.summary.query()), prefetch(() => trpc.dashboard.capacity.query())]);
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <DashboardView initialSummary={summary} initialCapacity={capacity} />
    </section>
  );
}
