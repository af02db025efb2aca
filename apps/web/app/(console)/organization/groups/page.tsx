import { Groups } from './groups';

export const metadata = { title: 'Groups · Organization · Gantry' };

export default function Page() {
  return <Groups />;
}
