import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createLogger } from './logger';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Wires Powertools logging and metrics once per function. Log level comes from
 * POWERTOOLS_LOG_LEVEL (Terraform sets it); service name from POWERTOOLS_SERVICE_NAME or
 * the argument. The Tracer lives in ./tracing so a function that traces nothing does not
 * pay for loading the X-Ray SDK at cold start (`npm run bench -- cold-start`).
 */
export function createObservability(options: {
  serviceName: string;
  /** CloudWatch metrics namespace, one per pipeline (e.g. "csv-processor"). */
  namespace: string;
}): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME || options.serviceName;
  const logger = createLogger(serviceName);
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || options.namespace,
    serviceName,
    defaultDimensions: process.env.ENVIRONMENT ? { environment: process.env.ENVIRONMENT } : {},
  });
  return { logger, metrics };
}
