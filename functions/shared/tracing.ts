import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools Tracer for functions whose SDK calls are worth a subsegment each. Tracing is on
 * in Lambda only: outside it there is no X-Ray daemon to talk to.
 */
export function createTracer(serviceName: string): Tracer {
  return new Tracer({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || serviceName,
    enabled:
      Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) && process.env.POWERTOOLS_TRACE_ENABLED !== 'false',
  });
}
