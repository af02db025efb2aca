import { prefetch, serverTrpc } from '../../../../lib/server-trpc';
import { InstalledView } from './installed-view';

export const metadata = { title: 'Installed packages · Catalog · Gantry' };
export const dynamic = 'force-dynamic';

export default async function InstalledPage() {
  const trpc = await serverTrpc();
  const initial = await prefetch(() => trpc.catalog.installs.query());
  return (
    <section aria-labelledby="installed-title">
      <nav aria-label="Breadcrumb" className="crumbs"><ol><li><a href="/catalog">Catalog</a></li></ol></nav>
      <h1 id="installed-title">Installed packages</h1>
      <InstalledView initial={initial} />
    </section>
  );
}
