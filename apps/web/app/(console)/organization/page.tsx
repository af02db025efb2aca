import { Organization } from './organization';

export const metadata = { title: 'Organization · Gantry' };

export default function Page() {
  return (
    <section aria-labelledby="org-title">
      <h1 id="org-title">Organization</h1>
      <Organization />
    </section>
  );
}
