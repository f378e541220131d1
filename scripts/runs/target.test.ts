import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withEnv } from '../local/pipelines/runner';
import { runsCaptured } from './test-support';
import {
  API_URL,
  checkedApiUrl,
  REPORTS_BUCKET,
  setting,
  terraformOutput,
  type TerraformSetting,
} from './target';

/**
 * Where `--env` finds the API URL and the reports bucket (a variable, else the environment's
 * Terraform outputs, read through a stand-in `terraform` on PATH), which URLs it refuses, and
 * the one line it prints when there are no AWS credentials.
 */
describe('where --env finds the API and credentials', () => {
  it('without credentials: one line saying how to sign in, exit 1, nothing sent', async () => {
    const result = await runsCaptured(['list', '--env', 'dev', '--url', 'http://127.0.0.1:9/dev'], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: no usable AWS credentials (Could not load credentials from any providers); sign in as for the aws CLI (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)\n',
    );
  });

  it('RUNS_API_URL first, else the Terraform output, else says both ways', () => {
    const asked: string[] = [];
    const output = (value: string | undefined) => (environment: string, wanted: TerraformSetting) => {
      asked.push(`${environment}:${wanted.field}`);
      return value === undefined ? { reason: 'Backend initialization required' } : { value };
    };
    expect(setting('prd', API_URL, { RUNS_API_URL: ' https://given/prd ' }, output('x'))).toBe(
      'https://given/prd',
    );
    expect(asked).toEqual([]);
    expect(setting('prd', API_URL, {}, output('https://from-terraform/prd'))).toBe(
      'https://from-terraform/prd',
    );
    expect(asked).toEqual(['prd:api_url']);
    expect(() => setting('dev', REPORTS_BUCKET, {}, output(undefined))).toThrow(
      '--env dev: set RUNS_REPORTS_BUCKET, or let `terraform output runs` (reports_bucket_name) answer in infrastructure/terraform/environments/dev (Backend initialization required)',
    );
  });

  it('takes an http(s) URL of its own stage only', () => {
    const url = 'https://abc123.execute-api.ap-northeast-1.amazonaws.com/prd';
    expect(checkedApiUrl(url, 'prd', '--url')).toBe(url);
    expect(() => checkedApiUrl('abc123', 'prd', '--url')).toThrow('--url: not a URL: "abc123"');
    expect(() => checkedApiUrl('ftp://host/prd', 'prd', '--url')).toThrow('--url: expected an http(s) URL');
    expect(() => checkedApiUrl(url, 'dev', 'RUNS_API_URL')).toThrow('RUNS_API_URL is the prd stage');
  });
});

describe('terraformOutput: the environment’s outputs through the terraform command', () => {
  let bin: string;
  const fakeTerraform = async (script: string) => {
    await writeFile(join(bin, 'terraform'), `#!/bin/sh\n${script}\n`);
    await chmod(join(bin, 'terraform'), 0o755);
  };
  const onPath = <T>(work: () => T) => withEnv({ PATH: `${bin}:/usr/bin:/bin` }, async () => work());

  beforeAll(async () => {
    bin = await mkdtemp(join(process.env.PIPELINES_TEST_TMPDIR ?? tmpdir(), 'terraform-bin-'));
  });

  it('reads the field of the runs output, in the environment’s directory', async () => {
    await fakeTerraform(
      [
        // Answers only where and what the CLI must ask.
        'case "$PWD" in */infrastructure/terraform/environments/prd) ;; *) echo "Error: wrong directory $PWD" >&2; exit 1;; esac',
        '[ "$*" = "output -no-color -json runs" ] || { echo "Error: unexpected $*" >&2; exit 1; }',
        `echo '{"api_url":"https://abc123.execute-api.ap-northeast-1.amazonaws.com/prd","reports_bucket_name":"runs-reports-prd-123456789012"}'`,
      ].join('\n'),
    );
    expect(await onPath(() => terraformOutput('prd', API_URL))).toEqual({
      value: 'https://abc123.execute-api.ap-northeast-1.amazonaws.com/prd',
    });
    expect(await onPath(() => terraformOutput('prd', REPORTS_BUCKET))).toEqual({
      value: 'runs-reports-prd-123456789012',
    });
  });

  it('falls back to a top-level output, and says what terraform said when neither exists', async () => {
    await fakeTerraform(
      [
        'if [ "$*" = "output -no-color -raw runs_api_url" ]; then printf https://flat.example/dev; exit 0; fi',
        'printf "There are some problems with the CLI configuration:\\n│ Warning: Unable to open CLI configuration file\\n\\nError: Output \\"$4\\" not found\\n\\nThe output variable requested could not be found\\n" >&2',
        'exit 1',
      ].join('\n'),
    );
    expect(await onPath(() => terraformOutput('dev', API_URL))).toEqual({
      value: 'https://flat.example/dev',
    });
    expect(await onPath(() => terraformOutput('dev', REPORTS_BUCKET))).toEqual({
      reason: 'Output "runs" not found',
    });
  });

  it('without terraform on PATH', async () => {
    const empty = await mkdtemp(join(process.env.PIPELINES_TEST_TMPDIR ?? tmpdir(), 'no-terraform-'));
    expect(await withEnv({ PATH: empty }, async () => terraformOutput('dev', API_URL))).toEqual({
      reason: 'terraform is not on PATH',
    });
  });
});
