import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AgentRepository } from '../agents/repository.js';
import type { Db } from '../db/prisma.js';
import type { AppRepository } from '../services/app-repository.js';
import type { ServicesApi } from '../services/services-api.js';
import { StatefulApi } from '../stateful/api.js';
import { StatefulServiceRepository } from '../stateful/repository.js';
import { CatalogApi } from './catalog-api.js';
import { hostProbe, type HostProbe } from './host-probe.js';
import { CatalogRepository } from './repository.js';

/** `@gantry/catalog`'s `builtin/` directory: Gantry's own package repository. */
export function builtinRepositoryDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@gantry/catalog/package.json')), 'builtin');
}

/**
 * The stateful services API and the package catalog of one API replica, built at start
 * (the built-in repository read once). Any replica serves them; the leader's framework
 * carries out what they write.
 */
export async function startCatalog(
  db: Db,
  deps: { agents: AgentRepository; apps: AppRepository; services: ServicesApi; now: () => Date },
  options: { builtinDir?: string; host?: HostProbe } = {},
): Promise<{ stateful: StatefulApi; catalog: CatalogApi }> {
  const stateful = new StatefulApi(db, new StatefulServiceRepository(db), deps.agents, async (id) => (await deps.apps.get(id)) !== null, deps.now);
  const catalog = new CatalogApi(new CatalogRepository(db), options.builtinDir ?? builtinRepositoryDir(), deps.services, stateful, options.host ?? hostProbe(), deps.now);
  await catalog.start();
  return { stateful, catalog };
}
