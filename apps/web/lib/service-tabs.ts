export const TABS = ['tasks', 'configuration', 'versions', 'deployments', 'debug', 'logs'] as const;
export type Tab = (typeof TABS)[number];
export const TAB_LABELS: Record<Tab, string> = {
  tasks: 'Tasks', configuration: 'Configuration', versions: 'Versions', deployments: 'Deployments', debug: 'Debug', logs: 'Logs',
};
