import { ComingSection } from '../../../components/coming-section';

export const metadata = { title: 'Settings · Gantry' };

export default function Page() {
  return <ComingSection title="Settings" what="Configure identity providers, quotas and the cluster." />;
}
