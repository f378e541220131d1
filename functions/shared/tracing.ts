import type { Tracer } from '@aws-lambda-powertools/tracer';

/** What one traced invocation works with. */
export interface Traced<Clients> {
  /** The function's SDK clients, each call an X-Ray subsegment when tracing is on. */
  clients: Clients;
  /** An indexed X-Ray annotation on this invocation's `## <handler>` subsegment (searchable in the console). */
  annotate(key: string, value: string | number | boolean): void;
}

/** Runs one invocation's work inside its X-Ray subsegment. */
export type TracedInvocation<Clients> = <T>(work: (traced: Traced<Clients>) => Promise<T>) => Promise<T>;

/**
 * X-Ray tracing (Powertools Tracer) for a handler whose SDK calls are worth a subsegment each.
 * Tracing is on in Lambda only: outside it there is no X-Ray daemon to talk to.
 *
 * The Tracer is loaded, and the clients made and captured, on the first invocation rather than
 * at import: loading aws-xray-sdk-core (cls-hooked, its patchers, the Lambda facade segment) was
 * about a fifth of the csv functions' import CPU (`npm run bench -- cold-start`). The build ships
 * the package as tracer.mjs beside index.mjs (scripts/build/chunks.ts), so a cold start does not
 * even parse it: inlined, its parsing alone was ~6% of the csv-validator floor. Lambda's facade
 * segment follows `_X_AMZN_TRACE_ID` per invocation, so a late load loses nothing.
 *
 * Each invocation gets a `## <handler>` subsegment (ColdStart and Service annotated, an error recorded
 * on it), as Powertools' captureLambdaHandler does: Lambda's own segment takes no annotations.
 */
export function createTracing<Clients extends Record<string, object>>(
  serviceName: string,
  makeClients: () => Clients,
): TracedInvocation<Clients> {
  let loading: Promise<{ tracer: Tracer; clients: Clients }> | undefined;
  const load = async () => {
    const { Tracer } = await import('@aws-lambda-powertools/tracer');
    const tracer = new Tracer({
      serviceName: process.env.POWERTOOLS_SERVICE_NAME || serviceName,
      enabled:
        Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) && process.env.POWERTOOLS_TRACE_ENABLED !== 'false',
    });
    const clients = Object.fromEntries(
      Object.entries(makeClients()).map(([name, client]) => [name, tracer.captureAWSv3Client(client)]),
    ) as Clients;
    return { tracer, clients };
  };

  return async (work) => {
    // A failed load is retried by the next invocation instead of failing every one after it.
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    const { tracer, clients } = await loading;
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    if (!parent) return work({ clients, annotate: () => undefined });

    const subsegment = parent.addNewSubsegment(`## ${process.env._HANDLER || serviceName}`);
    tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await work({ clients, annotate: (key, value) => subsegment.addAnnotation(key, value) });
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment.close();
      tracer.setSegment(parent);
    }
  };
}
