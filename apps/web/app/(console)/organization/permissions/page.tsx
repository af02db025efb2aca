import { Permissions } from './permissions';

export const metadata = { title: 'Permissions · Organization · Gantry' };

export default async function Page({ searchParams }: { searchParams: Promise<{ subject?: string }> }) {
  const { subject } = await searchParams;
  return <Permissions subject={subject ?? null} />;
}
