import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@gantry/api/router';

/** The API's inputs and answers, as the console's code names them. */
export type ApiIn = inferRouterInputs<AppRouter>;
export type ApiOut = inferRouterOutputs<AppRouter>;

export type ServiceListInput = ApiIn['services']['list'];
export type ServicePage = ApiOut['services']['list'];
export type ServiceRow = ServicePage['rows'][number];
export type AppDetail = ApiOut['services']['app'];
export type TaskItem = ApiOut['tasks']['list']['rows'][number];
export type TaskListInput = ApiIn['tasks']['list'];
export type NodeListInput = ApiIn['cluster']['nodes'];
export type NodeItem = ApiOut['cluster']['nodes']['rows'][number];
export type DeploymentItem = ApiOut['services']['deployments']['deployments'][number];
export type DebugInfo = ApiOut['services']['debug'];
export type DashboardSummary = ApiOut['dashboard']['summary'];
export type CapacityHistory = ApiOut['dashboard']['capacity'];
export type ChangeOutcome = ApiOut['services']['scale'];
