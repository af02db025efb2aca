import { ServiceAccounts } from './service-accounts';

export const metadata = { title: 'Service accounts · Organization · Gantry' };

export default function Page() {
  return <ServiceAccounts />;
}
