import { Quotas } from './quotas';

export const metadata = { title: 'Quotas · Organization · Gantry' };

export default function Page() {
  return <Quotas />;
}
