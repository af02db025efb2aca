import Link from 'next/link';
import { ComingSection } from '../../components/coming-section';

export default function Dashboard() {
  return (
    <>
      <ComingSection title="Dashboard" what="Cluster capacity, tasks, services and nodes at a glance." />
      <p>
        Meanwhile, see the cluster's machines on the <Link href="/nodes">Nodes</Link> page.
      </p>
    </>
  );
}
