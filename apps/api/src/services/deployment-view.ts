import type { DeploymentView } from '@gantry/specs';
import type { DeployedApp, DeploymentRecord } from './deployment-repository.js';

/** Marathon's `GET /v2/deployments` item: `currentStep` counts from 1, as Marathon's does. */
export function deploymentView(d: DeploymentRecord): DeploymentView {
  const current = d.steps[d.currentStep] ?? [];
  return {
    id: d.id,
    version: d.version.toISOString(),
    affectedApps: d.affectedApps,
    affectedPods: [],
    steps: d.steps.map((actions) => ({ actions: actions.map((a) => ({ action: a.action, app: a.app })) })),
    currentActions: current.map((a) => ({ action: a.action, app: a.app, readinessCheckResults: [] })),
    currentStep: Math.min(d.currentStep + 1, d.steps.length),
    totalSteps: d.steps.length,
  };
}

const appsOf = (side: Record<string, DeployedApp | null>) =>
  Object.values(side).filter((a): a is DeployedApp => a !== null).map((a) => ({ ...a.app, version: a.version }));

/** The `plan` inside Marathon's deployment events: the steps, and the apps before and after. */
export function deploymentPlanView(d: DeploymentRecord) {
  return {
    id: d.id,
    version: d.version.toISOString(),
    original: { id: '/', apps: appsOf(d.original) },
    target: { id: '/', apps: appsOf(d.target) },
    steps: d.steps.map((actions) => ({ actions: actions.map((a) => ({ action: a.action, app: a.app })) })),
  };
}
