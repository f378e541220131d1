import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The Powertools Logger every function uses, configured from the environment Terraform sets:
 * level from POWERTOOLS_LOG_LEVEL, service name from POWERTOOLS_SERVICE_NAME or the argument,
 * the environment (dev | prd) on every line. Apart from ./observability so that a function
 * that emits no metrics does not load Powertools Metrics at cold start.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || serviceName,
    logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO') as 'INFO',
    persistentKeys: process.env.ENVIRONMENT ? { environment: process.env.ENVIRONMENT } : {},
  });
}
