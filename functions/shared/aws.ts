/**
 * Client settings shared by every AWS SDK v3 client. An endpoint override
 * (`AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`, the SDK's own convention)
 * points the same code at the local stack; without one the SDK defaults apply.
 */
export type AwsService =
  'S3' | 'DYNAMODB' | 'SECRETS_MANAGER' | 'SFN' | 'LAMBDA' | 'CLOUDWATCH' | 'EVENTBRIDGE';

export interface LocalClientSettings {
  endpoint?: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function endpointFor(service: AwsService, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

export function clientSettings(
  service: AwsService,
  env: NodeJS.ProcessEnv = process.env,
): LocalClientSettings {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'ap-northeast-1';
  const endpoint = endpointFor(service, env);
  if (!endpoint) return { region };
  // Local emulators need no real account; s3rver accepts only the S3RVER key pair, dynalite any.
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? undefined
      : { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return { endpoint, region, ...(credentials ? { credentials } : {}) };
}
