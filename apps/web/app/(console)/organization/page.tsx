import { ComingSection } from '../../../components/coming-section';

export const metadata = { title: 'Organization · Gantry' };

export default function Page() {
  return <ComingSection title="Organization" what="Manage users, groups, service accounts and their permissions." />;
}
