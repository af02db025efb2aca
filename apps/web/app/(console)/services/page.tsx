import { ComingSection } from '../../../components/coming-section';

export const metadata = { title: 'Services · Gantry' };

export default function Page() {
  return <ComingSection title="Services" what="Deploy, scale and debug long-running services." />;
}
