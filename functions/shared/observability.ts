import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

/**
 * Wires Powertools once per function. Log level comes from POWERTOOLS_LOG_LEVEL
 * (Terraform sets it); service name from POWERTOOLS_SERVICE_NAME or the argument.
 * Tracing is on in Lambda only: outside it there is no X-Ray daemon to talk to.
 */
export function createObservability(options: {
  serviceName: string;
  /** CloudWatch metrics namespace, one per pipeline (e.g. "csv-processor"). */
  namespace: string;
}): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME || options.serviceName;
  const logger = new Logger({
    serviceName,
    logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO') as 'INFO',
    persistentKeys: process.env.ENVIRONMENT ? { environment: process.env.ENVIRONMENT } : {},
  });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || options.namespace,
    serviceName,
    defaultDimensions: process.env.ENVIRONMENT ? { environment: process.env.ENVIRONMENT } : {},
  });
  const tracer = new Tracer({
    serviceName,
    enabled:
      Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) && process.env.POWERTOOLS_TRACE_ENABLED !== 'false',
  });
  return { logger, metrics, tracer };
}
