import Link from 'next/link';
import { QueryErrorStatic } from '../../../../../components/query-error-static';
import { ServiceEditor } from '../../../../../components/service-editor';
import { editable } from '../../../../../lib/app-definition';
import { appHref } from '../../../../../lib/links';
import { serverTrpc } from '../../../../../lib/server-trpc';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Edit a service · Gantry' };

/** The form and JSON editor start from the definition as stored now (defaults filled in). */
export default async function EditServicePage({ params }: { params: Promise<{ id: string[] }> }) {
  const id = `/${(await params).id.map(decodeURIComponent).join('/')}`;
  try {
    const trpc = await serverTrpc();
    const app = await trpc.services.app.query({ id });
    return <ServiceEditor mode="edit" id={id} initial={editable(app.definition)} />;
  } catch (error) {
    return (
      <section aria-labelledby="edit-title">
        <h1 id="edit-title">Edit {id}</h1>
        <QueryErrorStatic message={(error as Error).message} />
        <p><Link href={appHref(id)}>Back to the service</Link></p>
      </section>
    );
  }
}
