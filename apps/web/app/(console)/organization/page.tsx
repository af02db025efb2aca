import { Users } from './users';

export const metadata = { title: 'Users · Organization · Gantry' };

export default function Page() {
  return <Users />;
}
