import type { AddressInfo } from 'node:net';
import { CloseCode, type Health } from '@gantry/specs';
import { AgentGateway } from './agents/gateway.js';
import { HeartbeatBatch } from './agents/heartbeat-batch.js';
import { LivenessLoop } from './agents/liveness-loop.js';
import { AgentRepository } from './agents/repository.js';
import type { ApiConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { createDb } from './db/prisma.js';
import { EventBus } from './events/bus.js';
import { createApiHttpServer } from './http/server.js';
import { restRoutes } from './http/routes.js';
import { Authenticator } from './iam/authenticator.js';
import { LdapDirectories } from './iam/providers/directory-login.js';
import { ProviderRepository } from './iam/providers/repository.js';
import { SsoLogins } from './iam/providers/sso-logins.js';
import { IamRepository } from './iam/repository.js';
import { AuditLog } from './audit/audit-log.js';
import { startConsole } from './console/console.js';
import { LeaderElector } from './leadership/elector.js';
import { AgentCommands } from './tasks/agent-commands.js';
import { TaskRepository } from './tasks/repository.js';
import { version } from './version.js';
import { AppRepository } from './services/app-repository.js';
import { DeploymentRepository } from './services/deployment-repository.js';
import { DesiredState } from './services/desired-state.js';
import { EventFeed } from './services/event-feed.js';
import { DEFAULT_SCHEDULER_OPTIONS, ServicesScheduler } from './services/scheduler/services-scheduler.js';
import { ServiceEventLog } from './services/service-event-log.js';
import { ServicesApi } from './services/services-api.js';
import { quotaAdmission } from './quotas/admission.js';
import { QuotaRepository } from './quotas/repository.js';
import type { LeaderInfo } from './services/routes/v2-cluster.js';
import { startCatalog } from './catalog/start.js';
import { StatefulFramework } from './stateful/framework.js';
import { StatefulServiceRepository } from './stateful/repository.js';
import { ResidentApps } from './stateful/resident-app.js';

export interface RunningApi {
  url: string;
  isLeader: () => boolean;
  /** LAUNCH/KILL/volume/log commands to agents (leader only). */
  commands: AgentCommands;
  tasks: TaskRepository;
  scheduler: ServicesScheduler;
  close: () => Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/**
 * Starts one API replica: migrate, serve, and stand for leadership. Every replica
 * serves reads; only the leader holds agent connections and runs the liveness loop.
 */
export async function startApi(config: ApiConfig, now: () => Date = () => new Date()): Promise<RunningApi> {
  await migrate(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  const agents = new AgentRepository(db);
  const events = new EventBus(config.databaseUrl, config.leaderRetryMs);
  await events.start();
  const heartbeats = new HeartbeatBatch();

  let elector: LeaderElector | null = null;
  const stepDown = () => void elector?.stop().then(() => elector?.start());
  const tasks = new TaskRepository(db);
  // The gateway is built below; an agent declared unreachable is cut off so that it must
  // re-register (and have its tasks reconciled) when it is heard from again.
  let gatewayRef: AgentGateway | null = null;
  const liveness = new LivenessLoop(
    agents, heartbeats, config, now, stepDown,
    (tx, epoch, ids, at) => tasks.markAgentTasksUnreachable(tx, epoch, ids, at),
    (ids) => gatewayRef?.disconnect(ids, 'declared unreachable: missed its heartbeats'),
  );
  // The commands reach agents through the gateway, which is built next.
  const commands = new AgentCommands({
    epoch: () => elector?.epoch ?? null,
    send: (agentId, message) => gatewayRef?.sendTo(agentId, message) ?? false,
    connected: (agentId) => gatewayRef?.connected(agentId) ?? false,
  }, tasks, now);
  const gateway = new AgentGateway({
    agents, heartbeats, now, tasks, commands,
    epoch: () => elector?.epoch ?? null,
    leaderAddress: async () => (await db.leadership.findUnique({ where: { id: 1 }, select: { address: true } }))?.address ?? null,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    onDeposed: stepDown,
    onReconciled: () => scheduler.wake(),
  });
  gatewayRef = gateway;

  const apps = new AppRepository(db);
  const deployments = new DeploymentRepository(db);
  const serviceEvents = new ServiceEventLog(db);
  const quotas = new QuotaRepository(db); // quotas per top-level group, checked on every change
  const statefulRepo = new StatefulServiceRepository(db);
  const resident = new ResidentApps(statefulRepo, now); // /v2 apps with persistent volumes run as stateful services
  const desired = new DesiredState(db, apps, deployments, serviceEvents, now, quotaAdmission(quotas), (tx, change) => resident.apply(tx, change));
  const services = new ServicesApi(apps, deployments, tasks, agents, desired);
  // Stateful services answer offers in the services scheduler's rounds (one allocator, one leader).
  const statefulFramework = new StatefulFramework({ repo: statefulRepo, tasks, commands, now });
  const scheduler = new ServicesScheduler({
    db, apps, deployments, tasks, agents, commands, bus: events, log: serviceEvents, now, onDeposed: stepDown,
    stateful: statefulFramework, quotas,
  }, { ...DEFAULT_SCHEDULER_OPTIONS, ...config.scheduler });
  const feed = new EventFeed(events, serviceEvents, agents);
  feed.start();
  let url = '';
  const leader: LeaderInfo = {
    queue: () => scheduler.queue(),
    leaderUrl: async () => (elector?.epoch ? config.advertiseUrl ?? url : (await db.leadership.findUnique({ where: { id: 1 }, select: { address: true } }))?.address ?? null),
    isLeader: () => (elector?.epoch ?? null) !== null,
    abdicate: async () => elector?.abdicate(Math.max(3 * config.leaderRetryMs, 1000)),
    resetDelay: (appId) => scheduler.resetDelay(appId),
    version, frameworkId: 'gantry-services',
  };
  const { stateful, catalog } = await startCatalog(db, { agents, apps, services, now }); // stateful services API and the package catalog
  startConsole(agents, { db, commands, events, now, open: () => url === '' || elector !== null }); // console read model + capacity history, sampled until close()

  const iam = new IamRepository(db);
  const audit = new AuditLog(db);
  const providers = new ProviderRepository(db);
  const auth = new Authenticator(iam, now, undefined, new LdapDirectories(providers));
  const sso = new SsoLogins(providers, auth, now, { api: () => config.advertiseUrl ?? url, console: config.consoleUrl.replace(/\/$/, '') });
  const { generatedPassword } = await auth.bootstrap(config.adminPassword);
  if (generatedPassword) {
    console.log(`created the user "admin" with the password ${generatedPassword} (shown once; change it, or set GANTRY_ADMIN_PASSWORD before the first start)`);
  }

  const health = async (): Promise<Health> => {
    const reachable = await Promise.race([
      db.$queryRaw`SELECT 1`.then(() => true, () => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
    ]);
    const epoch = elector?.epoch ?? null;
    return { status: reachable ? 'ok' : 'degraded', version, leader: epoch !== null, epoch, database: reachable ? 'reachable' : 'unreachable' };
  };

  const server = createApiHttpServer({
    context: { agents, events, services, feed, leader, tasks, commands, stateful, catalog }, auth, audit, gateway, agentToken: config.agentToken,
    routes: restRoutes({ agents, auth, iam, audit, health, providers, sso, now, tasks, commands, services, feed, serviceEvents, leader, quotas, apps, stateful, catalog }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE'
        ? new PortInUseError(`port ${config.port} on ${config.host} is already in use — stop what holds it or set GANTRY_API_PORT`)
        : error),
    );
    server.listen(config.port, config.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://${config.host}:${port}`;

  elector = new LeaderElector(
    config.databaseUrl,
    { holder: config.replicaName, address: config.advertiseUrl ?? url },
    config.leaderRetryMs,
    {
      elected: (epoch) => {
        console.log(`leading the cluster with epoch ${epoch}`);
        liveness.start(epoch);
        scheduler.start(epoch);
      },
      deposed: (reason) => {
        console.log(`no longer leading: ${reason}`);
        void liveness.stop();
        void scheduler.stop();
        gateway.closeAll(CloseCode.deposed, 'this master is no longer the leader');
      },
    },
  );
  elector.start();

  return {
    url,
    commands,
    tasks,
    scheduler,
    isLeader: () => elector?.epoch !== null && elector?.epoch !== undefined,
    close: async () => {
      const e = elector;
      elector = null;
      await e?.stop();
      await liveness.stop();
      await scheduler.stop();
      feed.stop();
      gateway.closeAll(1001, 'master shutting down');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await events.stop();
      await db.$disconnect();
    },
  };
}
