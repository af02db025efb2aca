// Marathon-compatible shapes of the /v2 API: what it reads (app and group definitions,
// path ids) and what it answers (views and events). The parsing machinery of this
// folder (validation.ts, the field schemas) stays inside it.
export { type PathIdResult, ROOT_PATH, isUnder, parentPath, pathSegments, resolvePathId, taskIdPrefix } from './path-id.js';
export {
  type App,
  AppDefinition,
  type AppNetwork,
  type AppResult,
  KILL_SELECTIONS,
  type KillSelection,
  type ParseAppOptions,
  type Residency,
  type UnreachableStrategy,
  type UpgradeStrategy,
  configChanged,
  mergeAppUpdate,
  parseAppDefinition,
} from './app-definition.js';
export { type FetchArtifact } from './artifact.js';
export { AppConstraint, CONSTRAINT_OPERATORS, type ConstraintOperator } from './constraint.js';
export { type AppContainer, type AppVolume, hasPersistentVolumes, PERSISTENT_VOLUME_TYPES, type PersistentVolumeInfo } from './container.js';
export { type AppHealthCheck, HEALTH_CHECK_PROTOCOLS, type HealthCheckProtocol } from './health-check.js';
export { DEFAULT_PORT_DEFINITIONS, NETWORK_PROTOCOLS, type PortDefinition } from './port-definition.js';
export { type AppReadinessCheck } from './readiness-check.js';
export { type GroupDefinition, type GroupResult, groupApps, parseGroupDefinition } from './group.js';
export * from './views.js';
