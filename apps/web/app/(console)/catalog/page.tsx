import { ComingSection } from '../../../components/coming-section';

export const metadata = { title: 'Catalog · Gantry' };

export default function Page() {
  return <ComingSection title="Catalog" what="Install data services and tools from the package catalog." />;
}
