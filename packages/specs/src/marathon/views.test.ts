import { describe, expect, it } from 'vitest';
import { parseAppDefinition } from './app-definition.js';
import {
  DeploymentView,
  MARATHON_EVENT_TYPES,
  MarathonEvent,
  type MarathonAppView,
  MarathonTaskView,
  QueueItemView,
  type VersionedApp,
} from './views.js';

const at = '2026-03-01T10:00:00.000Z';
const plan = { id: 'd-1', version: at, steps: [{ actions: [{ action: 'StartApplication', app: '/shop/web' }] }] };

const parsedApp = parseAppDefinition({ id: '/shop/web', cmd: 'sleep 1000', healthChecks: [{ protocol: 'TCP' }] }, { mode: 'create' });
if (!parsedApp.ok) throw new Error('fixture app is invalid');
const app: VersionedApp = { ...parsedApp.app, version: at, versionInfo: { lastScalingAt: at, lastConfigChangeAt: at } };

const task = {
  id: 'shop_web.instance-0b6a5d3e-1d1c-4a6e-9a43-6d3f7c6e1a10._app.1',
  appId: '/shop/web',
  host: 'agent-a.local',
  ports: [31001],
  servicePorts: [10001],
  slaveId: 'agent-a',
  agentId: 'agent-a',
  state: 'TASK_RUNNING',
  stagedAt: at,
  startedAt: at,
  version: at,
  healthCheckResults: [
    { alive: true, consecutiveFailures: 0, firstSuccess: at, lastSuccess: at, lastFailure: null, lastFailureCause: null, instanceId: 'shop_web.instance-0b6a5d3e' },
  ],
  ipAddresses: [{ ipAddress: '10.0.0.5', protocol: 'IPv4' }],
  localVolumes: [],
  zone: 'a',
  role: '*',
};

describe('MarathonEvent', () => {
  it.each([
    { eventType: 'event_stream_attached', timestamp: at, remoteAddress: '127.0.0.1' },
    { eventType: 'event_stream_detached', timestamp: at, remoteAddress: '127.0.0.1' },
    { eventType: 'api_post_event', timestamp: at, clientIp: '127.0.0.1', uri: '/v2/apps/shop/web', appDefinition: app },
    {
      eventType: 'status_update_event',
      timestamp: at,
      slaveId: 'agent-a',
      taskId: task.id,
      taskStatus: 'TASK_FAILED',
      message: 'exited with status 1',
      appId: '/shop/web',
      host: 'agent-a.local',
      ipAddresses: [{ ipAddress: '10.0.0.5', protocol: 'IPv4' }],
      ports: [31001],
      version: at,
    },
    { eventType: 'instance_changed_event', timestamp: at, instanceId: 'i-1', condition: 'Running', runSpecId: '/shop/web', agentId: 'agent-a', host: 'agent-a.local', runSpecVersion: at },
    { eventType: 'unknown_instance_terminated_event', timestamp: at, instanceId: 'i-1', runSpecId: '/shop/web', condition: 'Gone' },
    { eventType: 'instance_health_changed_event', timestamp: at, instanceId: 'i-1', runSpecId: '/shop/web', healthy: null, runSpecVersion: at },
    { eventType: 'add_health_check_event', timestamp: at, appId: '/shop/web', version: at, healthCheck: app.healthChecks[0] },
    { eventType: 'remove_health_check_event', timestamp: at, appId: '/shop/web' },
    { eventType: 'failed_health_check_event', timestamp: at, appId: '/shop/web', taskId: 'i-1', healthCheck: app.healthChecks[0] },
    { eventType: 'health_status_changed_event', timestamp: at, appId: '/shop/web', instanceId: 'i-1', version: at, alive: false },
    { eventType: 'unhealthy_instance_kill_event', timestamp: at, appId: '/shop/web', taskId: task.id, instanceId: 'i-1', version: at, reason: '500 Internal Server Error', host: 'agent-a.local', slaveId: 'agent-a' },
    { eventType: 'app_terminated_event', timestamp: at, appId: '/shop/web' },
    { eventType: 'group_change_success', timestamp: at, groupId: '/shop', version: at },
    { eventType: 'group_change_failed', timestamp: at, groupId: '/shop', version: at, reason: 'dependency cycle' },
    { eventType: 'deployment_info', timestamp: at, plan, currentStep: plan.steps[0] },
    { eventType: 'deployment_step_success', timestamp: at, plan, currentStep: plan.steps[0] },
    { eventType: 'deployment_step_failure', timestamp: at, plan, currentStep: plan.steps[0] },
    { eventType: 'deployment_success', timestamp: at, id: 'd-1', plan },
    { eventType: 'deployment_failed', timestamp: at, id: 'd-1', plan, reason: 'killed' },
  ])('reads $eventType', (json) => {
    expect(MarathonEvent.parse(json)).toEqual(json);
  });

  it('lists every event type for event_type filters', () => {
    expect(MARATHON_EVENT_TYPES).toHaveLength(20);
    expect(MARATHON_EVENT_TYPES).toContain('deployment_step_success');
  });

  it.each([
    ['an unknown event type', { eventType: 'pod_created_event', timestamp: at }],
    ['a missing timestamp', { eventType: 'app_terminated_event', appId: '/a' }],
    ['a timestamp that is not ISO 8601', { eventType: 'app_terminated_event', timestamp: 'yesterday', appId: '/a' }],
    ['a missing field', { eventType: 'group_change_success', timestamp: at, groupId: '/a' }],
    ['an unknown task state', { ...task, eventType: 'status_update_event', taskStatus: 'RUNNING', timestamp: at, message: '', taskId: 't', version: at }],
  ])('refuses %s', (_, json) => {
    expect(MarathonEvent.safeParse(json).success).toBe(false);
  });
});

describe('views', () => {
  it('reads a task, keeping a newer server’s extra fields out', () => {
    expect(MarathonTaskView.parse({ ...task, checkResult: {} })).toEqual(task);
  });

  it('reads a deployment', () => {
    const deployment = {
      id: 'd-1',
      version: at,
      affectedApps: ['/shop/web'],
      affectedPods: [],
      steps: [{ actions: [{ action: 'RestartApplication', app: '/shop/web' }] }],
      currentActions: [{ action: 'RestartApplication', app: '/shop/web', readinessCheckResults: [{ name: 'ready', taskId: task.id, ready: false, lastResponse: { status: 503, contentType: 'text/plain', body: 'warming up' } }] }],
      currentStep: 1,
      totalSteps: 1,
    };
    expect(DeploymentView.parse(deployment)).toEqual(deployment);
    expect(DeploymentView.safeParse({ ...deployment, steps: [{ actions: [{ action: 'ScalePod', app: '/x' }] }] }).success).toBe(false);
  });

  it('reads a queue item with its offer funnel', () => {
    const item = {
      app,
      count: 2,
      role: '*',
      delay: { timeLeftSeconds: 0, overdue: true },
      since: at,
      processedOffersSummary: {
        processedOffersCount: 10,
        unusedOffersCount: 10,
        lastUnusedOfferAt: at,
        rejectSummaryLastOffers: [
          { reason: 'UnfulfilledConstraint', declined: 3, processed: 10 },
          { reason: 'InsufficientMemory', declined: 7, processed: 7 },
        ],
      },
      lastUnusedOffers: [
        {
          offer: { id: 'o-1', agentId: 'agent-a', hostname: 'agent-a.local', resources: [{ name: 'mem', scalar: 64, role: '*' }], attributes: [{ name: 'zone', set: ['a'] }] },
          reason: ['InsufficientMemory'],
          timestamp: at,
        },
      ],
    };
    expect(QueueItemView.parse(item)).toEqual(item);
    expect(QueueItemView.safeParse({ ...item, app: 'web' }).success).toBe(false);
  });

  it('describes an app as /v2/apps answers it', () => {
    const view = {
      ...app,
      tasksStaged: 0,
      tasksRunning: 1,
      tasksHealthy: 1,
      tasksUnhealthy: 0,
      deployments: [{ id: 'd-1' }],
      tasks: [MarathonTaskView.parse(task)],
    } satisfies MarathonAppView;
    expect(view.tasks[0]?.appId).toBe(view.id);
  });
});
