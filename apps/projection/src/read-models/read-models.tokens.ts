/** DI token of the projection's metrics (projection.metrics.ts). */
export const PROJECTION_METRICS = Symbol('PROJECTION_METRICS');
