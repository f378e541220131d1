import * as z from 'zod/mini';

/**
 * The Secrets Manager secret (JSON) holding the connected app's JWT bearer settings.
 * loginUrl is the JWT audience (https://login.salesforce.com or https://test.salesforce.com);
 * tokenUrl, when set, is where the token request goes (a My Domain host). Both are base URLs.
 */
export interface SalesforceSecret {
  consumerKey: string;
  privateKey: string;
  username: string;
  loginUrl: string;
  tokenUrl?: string;
}

const baseUrl = z.pipe(
  z.string().check(
    z.refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
      } catch {
        return false;
      }
    }, 'must be a base URL such as https://login.salesforce.com'),
  ),
  z.transform((value) => value.replace(/\/+$/, '')),
);

export const salesforceSecretSchema = z.object({
  consumerKey: z.string().check(z.minLength(1)),
  privateKey: z
    .string()
    .check(
      z.refine(
        (value) => /-----BEGIN (RSA )?PRIVATE KEY-----/.test(value),
        'must be a PEM private key (PKCS#8 or PKCS#1)',
      ),
    ),
  username: z.string().check(z.minLength(1)),
  loginUrl: baseUrl,
  tokenUrl: z.optional(baseUrl),
});

/** The token endpoint: `<tokenUrl or loginUrl>/services/oauth2/token`. */
export function tokenEndpoint(secret: Pick<SalesforceSecret, 'loginUrl' | 'tokenUrl'>): string {
  return `${(secret.tokenUrl ?? secret.loginUrl).replace(/\/+$/, '')}/services/oauth2/token`;
}
