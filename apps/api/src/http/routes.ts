import type { Health } from '@gantry/specs';
import type { AgentRepository } from '../agents/repository.js';
import { nodeRoutes } from '../agents/routes.js';
import type { Authenticator } from '../iam/authenticator.js';
import { identityProviderRoutes, ssoRoutes } from '../iam/providers/routes.js';
import type { ProviderRepository } from '../iam/providers/repository.js';
import type { SsoLogins } from '../iam/providers/sso-logins.js';
import { authRoutes } from '../iam/routes.js';
import { iamRoutes } from '../iam/management-routes.js';
import { resourceRoutes } from '../iam/resource-routes.js';
import type { IamRepository } from '../iam/repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import { auditRoutes } from '../audit/routes.js';
import type { QuotaRepository } from '../quotas/repository.js';
import { quotaRoutes } from '../quotas/routes.js';
import type { AppRepository } from '../services/app-repository.js';
import type { AgentCommands } from '../tasks/agent-commands.js';
import type { TaskRepository } from '../tasks/repository.js';
import { taskRoutes } from '../tasks/routes.js';
import { taskListRoutes } from '../tasks/task-list-routes.js';
import type { EventFeed } from '../services/event-feed.js';
import { appRoutes } from '../services/routes/v2-apps.js';
import { clusterRoutes, type LeaderInfo } from '../services/routes/v2-cluster.js';
import { deploymentRoutes } from '../services/routes/v2-deployments.js';
import { eventRoutes } from '../services/routes/v2-events.js';
import { groupRoutes } from '../services/routes/v2-groups.js';
import type { ServiceEventLog } from '../services/service-event-log.js';
import type { ServicesApi } from '../services/services-api.js';
import { catalogRoutes } from '../catalog/routes.js';
import type { CatalogApi } from '../catalog/catalog-api.js';
import type { StatefulApi } from '../stateful/api.js';
import { statefulRoutes } from '../stateful/routes.js';
import { sendJson } from './respond.js';
import type { Route } from './route.js';

export interface RouteDeps {
  agents: AgentRepository;
  auth: Authenticator;
  iam: IamRepository;
  audit: AuditLog;
  health: () => Promise<Health>;
  providers: ProviderRepository;
  sso: SsoLogins;
  now: () => Date;
  tasks: TaskRepository;
  commands: AgentCommands;
  services: ServicesApi;
  feed: EventFeed;
  serviceEvents: ServiceEventLog;
  leader: LeaderInfo;
  quotas: QuotaRepository;
  apps: AppRepository;
  stateful: StatefulApi;
  catalog: CatalogApi;
}

/** The whole REST route table: each area contributes its own routes. */
export function restRoutes(deps: RouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/health', access: 'public',
      handle: async ({ res }) => {
        const health = await deps.health();
        sendJson(res, health.status === 'ok' ? 200 : 503, health);
      },
    },
    ...nodeRoutes(deps.agents),
    ...authRoutes(deps.auth),
    ...identityProviderRoutes(deps.providers, deps.now),
    ...ssoRoutes(deps.sso),
    ...iamRoutes(deps.iam),
    ...resourceRoutes(deps.services),
    ...quotaRoutes(deps.quotas, deps.apps, deps.now),
    ...auditRoutes(deps.audit),
    ...taskRoutes(deps.tasks, deps.commands),
    ...taskListRoutes(deps.tasks),
    // Marathon's REST API, /v2.
    ...appRoutes(deps.services),
    ...groupRoutes(deps.services),
    ...deploymentRoutes(deps.services),
    ...clusterRoutes(deps.services, deps.leader),
    ...eventRoutes(deps.feed, deps.serviceEvents),
    ...statefulRoutes(deps.stateful), ...catalogRoutes(deps.catalog),
  ];
}
