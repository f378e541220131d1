import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Checksum,
  SourceData,
} from '@smithy/types';

/**
 * Signing requests to the runs API (API Gateway with IAM authorization) with the
 * operator's own AWS credentials, as `aws` or `awscurl` would: Signature Version 4 for the
 * service `execute-api`, credentials from the SDK's default provider chain (environment,
 * SSO, profile, assume-role, instance/container roles), no key ever passed on the command line.
 */
export const EXECUTE_API = 'execute-api';
export const DEFAULT_REGION = 'ap-northeast-1';

/** The signer's SHA-256 (a keyed one for HMAC) from node:crypto, so no extra package is needed. */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }

  update(data: Uint8Array | string): void {
    this.hash.update(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The region of an API Gateway URL (`<id>.execute-api.<region>.amazonaws.com`), if it names one. */
export function regionOfApiUrl(url: string): string | undefined {
  try {
    return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The signing region: the API's own (from its URL) when the URL names one, else
 * AWS_REGION / AWS_DEFAULT_REGION, else the profile's `region`, else ap-northeast-1.
 */
export async function signingRegion(url: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromUrl = regionOfApiUrl(url);
  if (fromUrl) return fromUrl;
  if (env.AWS_REGION || env.AWS_DEFAULT_REGION) return (env.AWS_REGION || env.AWS_DEFAULT_REGION)!;
  try {
    // The SDK's own resolution reads the profile's region from ~/.aws/config.
    return await new S3Client({}).config.region();
  } catch {
    return DEFAULT_REGION;
  }
}

export interface SignerOptions {
  region: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export function executeApiSigner(options: SignerOptions): SignatureV4 {
  return new SignatureV4({
    service: EXECUTE_API,
    region: options.region,
    credentials: options.credentials ?? fromNodeProviderChain(),
    sha256: NodeSha256,
    // X-Amz-Content-Sha256 is S3's; API Gateway hashes the body itself.
    applyChecksum: false,
  });
}

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The request's headers with SigV4's added (Authorization, X-Amz-Date, and
 * X-Amz-Security-Token for temporary credentials). The signed path is the path as sent,
 * stage included (`/prd/runs/etl/…`); the query is signed by its decoded values.
 */
export async function signRequest(
  signer: SignatureV4,
  request: SignableRequest,
  signingDate?: Date,
): Promise<Record<string, string>> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of request.url.searchParams) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [...[previous].flat(), value];
  }
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      port: request.url.port ? Number(request.url.port) : undefined,
      path: request.url.pathname,
      query,
      headers: { ...request.headers, host: request.url.host },
      body: request.body,
    },
    signingDate ? { signingDate } : {},
  );
  return signed.headers;
}
