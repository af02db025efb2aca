import { param, type SearchParams } from '../../../lib/params';
import { prefetch, serverTrpc } from '../../../lib/server-trpc';
import { SERVICE_DEFAULTS, serviceListInput, type ServiceView } from '../../../lib/service-query';
import { ServicesView } from './services-view';

export const metadata = { title: 'Services · Gantry' };
export const dynamic = 'force-dynamic';

/** The first page of the level the URL names is rendered with the page; the rest is paged in as one scrolls. */
export default async function ServicesPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const view = Object.fromEntries(Object.entries(SERVICE_DEFAULTS).map(([k, v]) => [k, param(sp[k], v)])) as ServiceView;
  const trpc = await serverTrpc();
  const initial = await prefetch(() => trpc.services.list.query(serviceListInput(view)));
  return (
    <section aria-labelledby="services-title">
      <h1 id="services-title">Services</h1>
      <ServicesView initial={initial} initialView={view} />
    </section>
  );
}
