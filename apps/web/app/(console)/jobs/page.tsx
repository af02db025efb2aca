import { ComingSection } from '../../../components/coming-section';

export const metadata = { title: 'Jobs · Gantry' };

export default function Page() {
  return <ComingSection title="Jobs" what="Run batch jobs once or on a schedule." />;
}
