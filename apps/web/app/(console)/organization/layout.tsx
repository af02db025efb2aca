import type { ReactNode } from 'react';
import { IamTabs, type IamTab } from '../../../components/iam-tabs';

const tabs: readonly IamTab[] = [
  { href: '/organization', label: 'Users', needs: { resource: 'gantry:iam', action: 'read' } },
  { href: '/organization/groups', label: 'Groups', needs: { resource: 'gantry:iam', action: 'read' } },
  { href: '/organization/service-accounts', label: 'Service accounts', needs: { resource: 'gantry:iam', action: 'read' } },
  { href: '/organization/permissions', label: 'Permissions', needs: { resource: 'gantry:iam', action: 'read' } },
  // Everybody: a group's members see their own quota.
  { href: '/organization/quotas', label: 'Quotas' },
  { href: '/organization/audit', label: 'Audit log', needs: { resource: 'gantry:audit', action: 'read' } },
];

/** Who may do what in the cluster: identities, permissions, quotas and the audit trail. */
export default function OrganizationLayout({ children }: { children: ReactNode }) {
  return (
    <section aria-labelledby="org-title">
      <h1 id="org-title">Organization</h1>
      <IamTabs label="Organization" tabs={tabs} />
      {children}
    </section>
  );
}
