import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One registry per app rather than prom-client's global one: tests boot several apps in one
 * process, and the global registry would collide on metric names.
 */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}
