import { ServiceEditor } from '../../../../components/service-editor';
import { newDraft } from '../../../../lib/app-definition';
import { param, type SearchParams } from '../../../../lib/params';

export const metadata = { title: 'Deploy a service · Gantry' };

export default async function NewServicePage({ searchParams }: { searchParams: SearchParams }) {
  const group = param((await searchParams).group, '/');
  return <ServiceEditor mode="create" initial={newDraft(/^\/[^\s]*$/.test(group) ? group : '/')} />;
}
