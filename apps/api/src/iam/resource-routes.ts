import { RESOURCE_KINDS } from '@gantry/auth';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { GroupView, ServicesApi } from '../services/services-api.js';

/**
 * `GET /v1/iam/resources`: what the console's resource picker offers when granting —
 * every resource kind an endpoint checks (RESOURCE_KINDS of packages/auth), and the
 * service groups that exist, as far as the asker may read them (a tenant's picker
 * never names another tenant's groups). Only those who manage grants ask.
 */
export function resourceRoutes(services: ServicesApi): Route[] {
  return [
    {
      method: 'GET', path: '/v1/iam/resources', access: { resource: 'gantry:iam', action: 'read' },
      handle: async ({ res, principal }) => {
        const tree = await services.group(principal!, '/');
        const groups: string[] = [];
        const walk = (group: GroupView) => {
          for (const child of group.groups) {
            groups.push(child.id);
            walk(child);
          }
        };
        walk(tree);
        sendJson(res, 200, { kinds: RESOURCE_KINDS, serviceGroups: groups.sort() });
      },
    },
  ];
}
