import { param, type SearchParams } from '../../../lib/params';
import { prefetch, serverTrpc } from '../../../lib/server-trpc';
import { CatalogView } from './catalog-view';

export const metadata = { title: 'Catalog · Gantry' };
export const dynamic = 'force-dynamic';

/** The package catalog: every repository's packages, searchable; the first screen server-rendered. */
export default async function CatalogPage({ searchParams }: { searchParams: SearchParams }) {
  const q = param((await searchParams).q).slice(0, 200);
  const trpc = await serverTrpc();
  const initial = await prefetch(() => trpc.catalog.search.query({ q }));
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Catalog</h1>
      <CatalogView initial={initial} initialQuery={q} />
    </section>
  );
}
