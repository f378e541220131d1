import * as z from 'zod/mini';
import { salesforceSecretSchema, tokenEndpoint } from './secret';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const valid = {
  consumerKey: '3MVG9xx',
  privateKey: PEM,
  username: 'etl@example.com',
  loginUrl: 'https://login.salesforce.com/',
};

describe('salesforceSecretSchema', () => {
  it('accepts the secret and normalizes base URLs', () => {
    expect(
      z.parse(salesforceSecretSchema, { ...valid, tokenUrl: 'https://acme.my.salesforce.com//' }),
    ).toEqual({
      ...valid,
      loginUrl: 'https://login.salesforce.com',
      tokenUrl: 'https://acme.my.salesforce.com',
    });
    const rsa = { ...valid, privateKey: PEM.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY') };
    expect(z.safeParse(salesforceSecretSchema, rsa).success).toBe(true);
  });

  it.each([
    ['consumerKey', { consumerKey: '' }],
    ['privateKey', { privateKey: 'ssh-rsa AAAA' }],
    ['username', { username: undefined }],
    ['loginUrl', { loginUrl: 'login.salesforce.com' }],
    ['loginUrl', { loginUrl: 'https://login.salesforce.com/services/oauth2/token?x=1' }],
    ['tokenUrl', { tokenUrl: 'not a url' }],
  ])('rejects a bad %s, naming the key', (key, overrides) => {
    const result = z.safeParse(salesforceSecretSchema, { ...valid, ...overrides });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(key);
  });

  it('never echoes the private key in its issues', () => {
    const secretKey =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    const result = z.safeParse(salesforceSecretSchema, { ...valid, privateKey: secretKey });
    expect(JSON.stringify(result.error!.issues)).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
  });
});

describe('tokenEndpoint', () => {
  it('posts to tokenUrl when set, else to loginUrl', () => {
    expect(tokenEndpoint({ loginUrl: 'https://test.salesforce.com' })).toBe(
      'https://test.salesforce.com/services/oauth2/token',
    );
    expect(
      tokenEndpoint({
        loginUrl: 'https://login.salesforce.com',
        tokenUrl: 'https://acme.my.salesforce.com/',
      }),
    ).toBe('https://acme.my.salesforce.com/services/oauth2/token');
  });
});
