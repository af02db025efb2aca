import { z } from 'zod';
import type { App } from './app-definition.js';
import type { AppHealthCheck } from './health-check.js';
import { isRecord } from './validation.js';

/**
 * What `/v2` answers, in Marathon's shapes (the RAML types and `examples/` of
 * Marathon's REST docs). Schemas are plain objects that keep unknown fields out
 * without refusing them, so a client still reads a newer server. Embedded app
 * definitions and health checks are typed but not re-validated here: the server
 * wrote them from a parsed `App`.
 */

/** An ISO 8601 instant, as Marathon writes them: `2015-09-30T09:09:17.614Z`. */
const Timestamp = z.iso.datetime();

const embeddedApp = z.custom<App>(isRecord, { message: 'an app definition is an object' });
const embeddedHealthCheck = z.custom<AppHealthCheck>(isRecord, { message: 'a health check is an object' });

/** An app definition with the version fields the server sets. */
export interface VersionedApp extends App {
  version: string;
  versionInfo: VersionInfo;
}

export const VersionInfo = z.object({
  /** The last change of any kind, scaling included. */
  lastScalingAt: Timestamp,
  /** The last change that was not a scale: the version the tasks were started from. */
  lastConfigChangeAt: Timestamp,
});
export type VersionInfo = z.infer<typeof VersionInfo>;

// Marathon's MesosTaskState (stringTypes.raml), plus TASK_LOST, which 1.x still puts
// in status_update_event.
export const MARATHON_TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_UNKNOWN',
  'TASK_LOST',
] as const;
export const MarathonTaskState = z.enum(MARATHON_TASK_STATES);
export type MarathonTaskState = z.infer<typeof MarathonTaskState>;

/** Marathon's instance conditions (instance_changed_event `condition`). */
export const INSTANCE_CONDITIONS = [
  'Error',
  'Failed',
  'Finished',
  'Killed',
  'Killing',
  'Running',
  'Staging',
  'Starting',
  'Unreachable',
  'UnreachableInactive',
  'Gone',
  'Dropped',
  'Unknown',
] as const;
export const InstanceCondition = z.enum(INSTANCE_CONDITIONS);

/** One health check's standing on one task (healthCheck.raml Health). Never-seen instants are null. */
export const HealthCheckResultView = z.object({
  alive: z.boolean(),
  consecutiveFailures: z.int().min(0),
  firstSuccess: Timestamp.nullable(),
  lastSuccess: Timestamp.nullable(),
  lastFailure: Timestamp.nullable(),
  lastFailureCause: z.string().nullable(),
  instanceId: z.string(),
  /** Marathon 1.3 and older named the task; later releases name the instance only. */
  taskId: z.string().optional(),
});
export type HealthCheckResultView = z.infer<typeof HealthCheckResultView>;

export const IpAddressView = z.object({ ipAddress: z.string(), protocol: z.enum(['IPv4', 'IPv6']) });

/** A persistent volume a resident task holds (localVolumes.raml). */
export const LocalVolumeView = z.object({
  runSpecId: z.string(),
  containerPath: z.string(),
  uuid: z.string(),
  /** `<runSpecSafePath>#<containerPath>#<uuid>`. */
  persistenceId: z.string(),
});

/** A task as `/v2/tasks` and `/v2/apps/{id}/tasks` list it (enrichedTask.raml, task.raml Task). */
export const MarathonTaskView = z.object({
  /** `team-a_web.<uuid>`, or `team-a_web.instance-<uuid>._app.<n>` for newer tasks. */
  id: z.string(),
  appId: z.string(),
  host: z.string(),
  ports: z.array(z.int()),
  servicePorts: z.array(z.int()),
  /** Marathon's name for the agent id, kept for old clients. */
  slaveId: z.string(),
  agentId: z.string().optional(),
  state: MarathonTaskState,
  stagedAt: Timestamp,
  startedAt: Timestamp.optional(),
  /** The app version the task was started from. */
  version: Timestamp,
  healthCheckResults: z.array(HealthCheckResultView),
  ipAddresses: z.array(IpAddressView),
  localVolumes: z.array(LocalVolumeView),
  region: z.string().optional(),
  zone: z.string().optional(),
  role: z.string(),
});
export type MarathonTaskView = z.infer<typeof MarathonTaskView>;

/** The last task of an app that failed (task.raml TaskFailure), embedded with `embed=apps.lastTaskFailure`. */
export const TaskFailureView = z.object({
  appId: z.string(),
  host: z.string(),
  message: z.string(),
  state: z.string(),
  taskId: z.string(),
  timestamp: Timestamp,
  version: Timestamp,
  slaveId: z.string().optional(),
});
export type TaskFailureView = z.infer<typeof TaskFailureView>;

/** readinessCheck.raml TaskReadinessCheckResult. */
export const ReadinessCheckResultView = z.object({
  name: z.string(),
  taskId: z.string(),
  ready: z.boolean(),
  lastResponse: z.object({ status: z.int(), contentType: z.string(), body: z.string() }).optional(),
});
export type ReadinessCheckResultView = z.infer<typeof ReadinessCheckResultView>;

/** An app as `GET /v2/apps` answers (app.raml AppInfo); the embeds come with `embed=apps.<name>`. */
export interface MarathonAppView extends VersionedApp {
  tasksStaged: number;
  tasksRunning: number;
  tasksHealthy: number;
  tasksUnhealthy: number;
  /** The deployments under way that touch this app. */
  deployments: { id: string }[];
  tasks?: MarathonTaskView[];
  lastTaskFailure?: TaskFailureView;
  readinessCheckResults?: ReadinessCheckResultView[];
}

// Marathon also has StartPod, StopPod, ScalePod, RestartPod and ResolveArtifacts;
// Gantry has no pods and fetches artifacts at launch.
export const DEPLOYMENT_ACTIONS = ['StartApplication', 'ScaleApplication', 'RestartApplication', 'StopApplication'] as const;
export const DeploymentActionName = z.enum(DEPLOYMENT_ACTIONS);
export type DeploymentActionName = z.infer<typeof DeploymentActionName>;

export const DeploymentActionView = z.object({ action: DeploymentActionName, app: z.string() });
export type DeploymentActionView = z.infer<typeof DeploymentActionView>;

/** A step's actions run together; the next step starts when they are all done. */
export const DeploymentStepView = z.object({ actions: z.array(DeploymentActionView) });
export type DeploymentStepView = z.infer<typeof DeploymentStepView>;

/** A deployment as `GET /v2/deployments` lists it (deploymentEventsInfo.raml DeploymentStepInfo). */
export const DeploymentView = z.object({
  id: z.string(),
  version: Timestamp,
  affectedApps: z.array(z.string()),
  affectedPods: z.array(z.string()),
  steps: z.array(DeploymentStepView),
  currentActions: z.array(DeploymentActionView.extend({ readinessCheckResults: z.array(ReadinessCheckResultView) })),
  /** 1-based index of the step under way. */
  currentStep: z.int().min(0),
  totalSteps: z.int().min(0),
});
export type DeploymentView = z.infer<typeof DeploymentView>;

/** What a change answers (`Marathon-Deployment-Id` in the body): deploymentResult.raml. */
export const DeploymentResultView = z.object({ deploymentId: z.string(), version: Timestamp });
export type DeploymentResultView = z.infer<typeof DeploymentResultView>;

/** A deployment as the deployment events carry it (deploymentPlan.raml). */
export const DeploymentPlanView = z.object({ id: z.string(), steps: z.array(DeploymentStepView), version: Timestamp });
export type DeploymentPlanView = z.infer<typeof DeploymentPlanView>;

/**
 * Marathon's NoOfferMatchReason, in the order of its funnel: an unused offer is counted
 * under the first of these it fails, so `processed` shrinks from one reason to the next.
 */
export const OFFER_REJECT_REASONS = [
  'UnfulfilledRole',
  'UnfulfilledConstraint',
  'NoCorrespondingReservationFound',
  'AgentMaintenance',
  'InsufficientCpus',
  'InsufficientMemory',
  'InsufficientDisk',
  'InsufficientGpus',
  'InsufficientPorts',
  'DeclinedScarceResources',
] as const;
export const OfferRejectReason = z.enum(OFFER_REJECT_REASONS);
export type OfferRejectReason = z.infer<typeof OfferRejectReason>;

/** queue.raml DeclinedOfferStep: of `processed` offers reaching this reason, `declined` failed it. */
export const DeclinedOfferStep = z.object({ reason: OfferRejectReason, declined: z.int().min(0), processed: z.int().min(0) });

export const ProcessedOffersSummaryView = z.object({
  processedOffersCount: z.int().min(0),
  unusedOffersCount: z.int().min(0),
  lastUnusedOfferAt: Timestamp.optional(),
  lastUsedOfferAt: Timestamp.optional(),
  /** Over the last offer of each agent. */
  rejectSummaryLastOffers: z.array(DeclinedOfferStep).optional(),
  /** Over every offer since the launch attempt began. */
  rejectSummaryLaunchAttempt: z.array(DeclinedOfferStep).optional(),
});
export type ProcessedOffersSummaryView = z.infer<typeof ProcessedOffersSummaryView>;

const OfferValue = z.object({
  name: z.string(),
  scalar: z.number().optional(),
  ranges: z.array(z.object({ begin: z.int(), end: z.int() })).optional(),
  set: z.array(z.string()).optional(),
});

/** An offer the app could not use, and why (queue.raml UnusedOffer, offer.raml). */
export const UnusedOfferView = z.object({
  offer: z.object({
    id: z.string(),
    agentId: z.string(),
    hostname: z.string(),
    resources: z.array(OfferValue.extend({ role: z.string() })),
    attributes: z.array(OfferValue),
  }),
  reason: z.array(OfferRejectReason),
  timestamp: Timestamp,
});
export type UnusedOfferView = z.infer<typeof UnusedOfferView>;

/** An app waiting for offers, as `GET /v2/queue` lists it (queue.raml QueueApp). */
export const QueueItemView = z.object({
  app: z.custom<VersionedApp>(isRecord, { message: 'an app definition is an object' }),
  /** Instances still to launch. */
  count: z.int().min(0),
  role: z.string(),
  /** Backoff: `overdue` when the app waits for offers, else the seconds until it may launch again. */
  delay: z.object({ timeLeftSeconds: z.int().min(0), overdue: z.boolean() }),
  /** When the launch attempt began. */
  since: Timestamp,
  processedOffersSummary: ProcessedOffersSummaryView,
  lastUnusedOffers: z.array(UnusedOfferView).optional(),
});
export type QueueItemView = z.infer<typeof QueueItemView>;

const event = <T extends string, S extends z.ZodRawShape>(eventType: T, shape: S) =>
  z.object({ eventType: z.literal(eventType), timestamp: Timestamp, ...shape });

const deploymentProgress = { plan: DeploymentPlanView, currentStep: DeploymentStepView };

/**
 * The events of `GET /v2/events` (Marathon's core/event/Events.scala and their JSON
 * writers; the event-bus docs show some older shapes). Marathon's subscription,
 * pod, framework-message and scheduler events are left out: Gantry has no HTTP
 * callbacks, pods or remote Mesos master.
 */
export const MarathonEvent = z.discriminatedUnion('eventType', [
  event('api_post_event', { clientIp: z.string(), uri: z.string(), appDefinition: embeddedApp }),
  event('status_update_event', {
    slaveId: z.string(),
    taskId: z.string(),
    taskStatus: MarathonTaskState,
    message: z.string(),
    appId: z.string(),
    host: z.string(),
    ipAddresses: z.array(IpAddressView),
    ports: z.array(z.int()),
    version: Timestamp,
  }),
  event('instance_changed_event', {
    instanceId: z.string(),
    condition: InstanceCondition,
    runSpecId: z.string(),
    agentId: z.string().optional(),
    host: z.string(),
    runSpecVersion: Timestamp,
  }),
  event('unknown_instance_terminated_event', { instanceId: z.string(), runSpecId: z.string(), condition: InstanceCondition }),
  /** `healthy` is null while no check has answered yet. */
  event('instance_health_changed_event', { instanceId: z.string(), runSpecId: z.string(), healthy: z.boolean().nullable(), runSpecVersion: Timestamp }),
  event('add_health_check_event', { appId: z.string(), version: Timestamp, healthCheck: embeddedHealthCheck }),
  event('remove_health_check_event', { appId: z.string() }),
  /** Marathon names the instance `taskId` here. */
  event('failed_health_check_event', { appId: z.string(), taskId: z.string(), healthCheck: embeddedHealthCheck }),
  event('health_status_changed_event', { appId: z.string(), instanceId: z.string(), version: Timestamp, alive: z.boolean() }),
  event('unhealthy_instance_kill_event', {
    appId: z.string(),
    taskId: z.string(),
    instanceId: z.string(),
    version: Timestamp,
    reason: z.string(),
    host: z.string(),
    slaveId: z.string().optional(),
  }),
  event('app_terminated_event', { appId: z.string() }),
  event('group_change_success', { groupId: z.string(), version: Timestamp }),
  event('group_change_failed', { groupId: z.string(), version: Timestamp, reason: z.string() }),
  event('deployment_info', deploymentProgress),
  event('deployment_step_success', deploymentProgress),
  event('deployment_step_failure', deploymentProgress),
  event('deployment_success', { id: z.string(), plan: DeploymentPlanView }),
  event('deployment_failed', { id: z.string(), plan: DeploymentPlanView, reason: z.string().optional() }),
  event('event_stream_attached', { remoteAddress: z.string() }),
  event('event_stream_detached', { remoteAddress: z.string() }),
]);
export type MarathonEvent = z.infer<typeof MarathonEvent>;
export type MarathonEventType = MarathonEvent['eventType'];

/** Every event type, for `?event_type=` filters. */
export const MARATHON_EVENT_TYPES = MarathonEvent.options.map((option) => option.shape.eventType.value);
