import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  RetryableStatusError,
  SalesforceApiError,
  SalesforceAuthError,
  SalesforceTransientError,
  TruncatedBodyError,
  describeFailure,
  isRetryable,
} from './errors';
import { backoffDelay, resolveRetryPolicy, sleep, type RetryPolicy } from './http';
import { tokenEndpoint, type SalesforceSecret } from './secret';

export type { SalesforceSecret } from './secret';

export interface SalesforceToken {
  accessToken: string;
  instanceUrl: string;
}

/**
 * The JWT's lifetime. Salesforce accepts `exp` at most 3 minutes ahead; a little less
 * leaves room for our clock running ahead of Salesforce's.
 */
const ASSERTION_LIFETIME_SECONDS = 150;
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The token response has no expiry and no refresh token: a token is good until a call
 * answers 401 INVALID_SESSION_ID. Module scope so warm Lambda invocations reuse it
 * (one token per org user and endpoint); a pending mint is shared so concurrent callers
 * never mint twice.
 */
const cache = new Map<string, Promise<SalesforceToken>>();

/** Forget every cached token (tests, and each local run starts fresh). */
export function resetTokenCache(): void {
  cache.clear();
}

export interface TokenProviderOptions {
  fetch?: typeof fetch;
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Per token request; the token endpoint answers in well under a second normally. */
  timeoutMs?: number;
  log?: (entry: Record<string, unknown>) => void;
}

export class TokenProvider {
  private readonly key: string;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly log: (entry: Record<string, unknown>) => void;
  private privateKey: KeyObject | undefined;
  /** Tokens minted by this provider (the first token() of a warm invocation mints none). */
  mints = 0;

  constructor(
    private readonly secret: SalesforceSecret,
    options: TokenProviderOptions = {},
  ) {
    this.key = [secret.consumerKey, secret.username, tokenEndpoint(secret)].join('\n');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.retry = resolveRetryPolicy(options.retry);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.log = options.log ?? (() => undefined);
  }

  /** The cached token, minting one when there is none. */
  token(): Promise<SalesforceToken> {
    const cached = cache.get(this.key);
    if (cached) return cached;
    return this.startMint();
  }

  /**
   * A new token after a 401. When `stale` (the token that was refused) is given and the
   * cache already holds a different one, another caller renewed first: that one is reused.
   */
  async renew(stale?: string): Promise<SalesforceToken> {
    const cached = cache.get(this.key);
    if (cached && stale !== undefined) {
      const current = await cached.catch(() => undefined);
      if (current && current.accessToken !== stale) return current;
      if (cache.get(this.key) !== cached) return this.token();
    }
    return this.startMint();
  }

  private startMint(): Promise<SalesforceToken> {
    const pending = this.mint();
    cache.set(this.key, pending);
    // A failed mint must not stay cached, or every later call would fail the same way.
    pending.catch(() => {
      if (cache.get(this.key) === pending) cache.delete(this.key);
    });
    return pending;
  }

  private signingKey(): KeyObject {
    if (this.privateKey) return this.privateKey;
    // Secrets pasted through a console sometimes arrive with literal "\n" instead of newlines.
    const pem = this.secret.privateKey.includes('\n')
      ? this.secret.privateKey
      : this.secret.privateKey.replace(/\\n/g, '\n');
    let key: KeyObject;
    try {
      // createPrivateKey reads PKCS#8 ("BEGIN PRIVATE KEY") and PKCS#1 ("BEGIN RSA PRIVATE KEY").
      key = createPrivateKey({ key: pem, format: 'pem' });
    } catch {
      throw new SalesforceAuthError('The privateKey in the Salesforce secret cannot be read', {
        error: 'invalid_private_key',
        hint: 'Store the unencrypted RSA private key as PEM (PKCS#8 "BEGIN PRIVATE KEY" or PKCS#1 "BEGIN RSA PRIVATE KEY") with its line breaks.',
      });
    }
    if (key.asymmetricKeyType !== 'rsa') {
      throw new SalesforceAuthError(
        `The privateKey in the Salesforce secret is ${key.asymmetricKeyType}, not RSA`,
        {
          error: 'invalid_private_key',
          hint: 'The JWT bearer flow signs with RS256: use the RSA key whose certificate is uploaded to the connected app.',
        },
      );
    }
    this.privateKey = key;
    return key;
  }

  private async assertion(): Promise<string> {
    const nowSeconds = Math.floor(this.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(this.secret.consumerKey)
      .setSubject(this.secret.username)
      .setAudience(this.secret.loginUrl.replace(/\/+$/, ''))
      .setExpirationTime(nowSeconds + ASSERTION_LIFETIME_SECONDS)
      .sign(this.signingKey());
  }

  private async mint(): Promise<SalesforceToken> {
    const url = tokenEndpoint(this.secret);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const token = await this.requestToken(url);
        this.mints++;
        this.log({ message: 'salesforce token minted', instanceUrl: token.instanceUrl, attempt });
        return token;
      } catch (error) {
        if (!isRetryable(error)) throw error;
        const delay = backoffDelay(this.retry, attempt, error);
        if (attempt >= this.retry.attempts || Date.now() - started + delay > this.retry.maxTotalMs) {
          throw new SalesforceTransientError(
            `Salesforce token request failed after ${attempt} attempt(s): ${describeFailure(error)}`,
            {
              status: error instanceof RetryableStatusError ? error.status : undefined,
              attempts: attempt,
              retried: true,
            },
          );
        }
        this.log({
          message: 'salesforce token request retry',
          attempt,
          delayMs: delay,
          reason: describeFailure(error),
        });
        await sleep(delay);
      }
    }
  }

  private async requestToken(url: string): Promise<SalesforceToken> {
    const body = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: await this.assertion() });
    const response = await this.fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (response.status === 429 || response.status >= 500) {
      throw new RetryableStatusError(`token endpoint answered HTTP ${response.status}`, response.status);
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      if (response.ok && isTruncatedJson(error, text)) {
        throw new TruncatedBodyError('token response ended early');
      }
      throw new SalesforceApiError(
        `Salesforce token endpoint answered HTTP ${response.status} with a non-JSON body`,
        {
          status: response.status,
        },
      );
    }
    // Salesforce's token endpoint sometimes answers a passing fault with a 4xx
    // `unknown_error` / "retry your request": it says itself that it is worth retrying.
    if (!response.ok && parsed.error === 'unknown_error' && /retry/i.test(String(parsed.error_description))) {
      throw new RetryableStatusError(
        `token endpoint answered HTTP ${response.status} unknown_error (retry your request)`,
        response.status,
      );
    }
    if (!response.ok) throw authError(response.status, parsed, this.secret);
    const accessToken = parsed.access_token;
    const instanceUrl = parsed.instance_url;
    if (typeof accessToken !== 'string' || !accessToken || typeof instanceUrl !== 'string' || !instanceUrl) {
      throw new SalesforceApiError('Salesforce token response lacks access_token or instance_url', {
        status: response.status,
      });
    }
    return { accessToken, instanceUrl: instanceUrl.replace(/\/+$/, '') };
  }
}

/** True when JSON.parse failed because the text stopped early (as opposed to not being JSON at all). */
export function isTruncatedJson(error: unknown, text: string): boolean {
  if (!(error instanceof SyntaxError)) return false;
  if (text.trim() === '' || /end of JSON input|Unterminated/i.test(error.message)) return true;
  const position = /at position (\d+)/.exec(error.message);
  return position !== null && Number(position[1]) >= text.trimEnd().length;
}

/**
 * The fix for each token error, keyed by Salesforce's error / error_description pairs
 * (OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration, and the errors Salesforce
 * returns in practice). The first matching rule wins.
 */
const AUTH_HINTS: Array<{ error?: string; description: RegExp; hint: (secret: SalesforceSecret) => string }> =
  [
    {
      description: /hasn't approved this consumer|not approved|admin approved|not admin approved/i,
      hint: () =>
        'Pre-authorize the integration user: in the connected app set Permitted Users to "Admin approved users are pre-authorized", then add the user\'s profile or a permission set assigned to the user.',
    },
    {
      description: /audience/i,
      hint: (s) =>
        `The JWT audience (loginUrl, now ${s.loginUrl}) must be https://login.salesforce.com (production) or https://test.salesforce.com (sandbox), never the My Domain host; put a My Domain host in tokenUrl instead.`,
    },
    {
      description: /expired|not yet valid|issued in the future/i,
      hint: () =>
        "The assertion was rejected as expired: check that this machine's clock is in sync (NTP); the JWT exp is set only 150 s ahead.",
    },
    {
      description: /invalid assertion|signature/i,
      hint: () =>
        'The signature did not verify: the certificate uploaded to the connected app ("Use digital signatures") must be the one made from this privateKey; also check consumerKey belongs to that connected app.',
    },
    {
      error: 'invalid_client_id',
      description: /./,
      hint: () =>
        'consumerKey is not a known connected app consumer key: copy it from Setup > App Manager > the connected app > Manage Consumer Details (new connected apps take up to 10 minutes to become usable).',
    },
    {
      error: 'invalid_client',
      description: /./,
      hint: () =>
        'The connected app rejected the client: check consumerKey (Manage Consumer Details) and that the app has "Enable OAuth Settings" and "Use digital signatures" on.',
    },
    {
      description: /user|authentication failure/i,
      hint: (s) =>
        `Check that the username (${s.username}) exists in the org behind ${s.loginUrl}, is active and not locked, and that login IP ranges allow this caller.`,
    },
  ];

function authError(
  status: number,
  body: Record<string, unknown>,
  secret: SalesforceSecret,
): SalesforceAuthError {
  const error = typeof body.error === 'string' ? body.error : 'unknown_error';
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  const rule = AUTH_HINTS.find(
    (candidate) => (!candidate.error || candidate.error === error) && candidate.description.test(description),
  );
  const hint =
    rule?.hint(secret) ??
    "Check the connected app (consumer key, uploaded certificate, pre-authorized users) and the secret's loginUrl/tokenUrl.";
  return new SalesforceAuthError(
    `Salesforce token request failed (HTTP ${status}): ${error}${description ? ` / ${description}` : ''}`,
    { error, errorDescription: description || undefined, status, hint },
  );
}
