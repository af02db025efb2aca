import { IdentityProviders } from './identity-providers';

export const metadata = { title: 'Settings · Gantry' };

export default function Page() {
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <IdentityProviders />
    </section>
  );
}
