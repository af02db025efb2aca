import { param, type SearchParams } from '../../../../../lib/params';
import { prefetch, serverTrpc } from '../../../../../lib/server-trpc';
import { PackageDetail } from './package-detail';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }) {
  return { title: `${decodeURIComponent((await params).name)} · Catalog · Gantry` };
}

/** A package: what it is, its notes and requirements, and the install (or update) form generated from its options schema. */
export default async function PackagePage({ params, searchParams }: { params: Promise<{ name: string }>; searchParams: SearchParams }) {
  const name = decodeURIComponent((await params).name);
  const sp = await searchParams;
  const version = param(sp.version) || undefined;
  const update = param(sp.update) || undefined;
  const trpc = await serverTrpc();
  const initial = await prefetch(() => trpc.catalog.describe.query({ name, ...(version ? { version } : {}) }));
  return <PackageDetail name={name} version={version} updateId={update} initial={initial} />;
}
