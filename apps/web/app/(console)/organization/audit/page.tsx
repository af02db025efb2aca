import { AuditLog } from './audit-log';

export const metadata = { title: 'Audit log · Organization · Gantry' };

export default async function Page({ searchParams }: { searchParams: Promise<{ actor?: string }> }) {
  const { actor } = await searchParams;
  return <AuditLog actor={actor ?? ''} />;
}
