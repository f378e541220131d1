/**
 * Policy tests over the Terraform HCL. Every rule runs over the real tree
 * (infrastructure/terraform, modules and environments) and over a planted bad case
 * that proves the rule fails when broken. The bootstrap's IAM documents are rendered
 * and evaluated against concrete requests: escalation attempts, the other
 * environment's resources, and every request the modules' resource types need.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  loadAllModules,
  loadModule,
  nestedBlocks,
  parseModule,
  render,
  terraformRoot,
  type TfModule,
} from './hcl';
import {
  RESOURCE_NEEDS,
  READ_ONLY_ACCESS_MODEL,
  RULES,
  SAMPLE_ACCOUNT,
  WORKLOAD_PATH,
  MANAGED_POLICY_MAX_CHARS,
  ROLE_INLINE_POLICIES_MAX_CHARS,
  allStatements,
  bastionLaunch,
  bastionProfile,
  bastionRole,
  boundaryArn,
  boundaryGaps,
  created,
  crossEnvironmentReach,
  evaluate,
  evaluateWithBoundary,
  existing,
  policyJson,
  renderPolicyDocument,
  resourceTypes,
  rolePolicies,
  rolesWithoutBoundary,
  unknownResourceTypes,
  unmatchedNames,
  unmetNeeds,
  type Decision,
  type IamRequest,
  type IamStatement,
  type Rule,
} from './rules';

let modules: TfModule[] = [];

beforeAll(async () => {
  modules = await loadAllModules();
});

const run = (rule: Rule, mods: TfModule[]) => mods.flatMap((m) => rule(m));
const format = (vs: ReturnType<Rule>) => vs.map((x) => `${x.module}: ${x.address}: ${x.message}`);

/**
 * A bucket with every control: the blocks of modules/s3-bucket itself (on
 * aws_s3_bucket.this); planted cases remove or break one at a time.
 */
const s3BucketModuleText = readFileSync(path.join(terraformRoot, 'modules', 's3-bucket', 'main.tf'), 'utf8');
const s3BucketBlock = (header: string): string => {
  const start = s3BucketModuleText.indexOf(`${header} {`);
  if (start < 0) throw new Error(`modules/s3-bucket/main.tf has no ${header}`);
  return s3BucketModuleText.slice(start, s3BucketModuleText.indexOf('\n}\n', start) + 2);
};
const SECURE_BUCKET = {
  bucket: s3BucketBlock('resource "aws_s3_bucket" "this"'),
  sse: s3BucketBlock('resource "aws_s3_bucket_server_side_encryption_configuration" "this"'),
  pab: s3BucketBlock('resource "aws_s3_bucket_public_access_block" "this"'),
  policy: [
    s3BucketBlock('data "aws_iam_policy_document" "bucket_policy"'),
    s3BucketBlock('resource "aws_s3_bucket_policy" "this"'),
  ].join('\n\n'),
  ownership: s3BucketBlock('resource "aws_s3_bucket_ownership_controls" "this"'),
};

/** `text` with `from` replaced by `to`, failing when `from` is not there (the planted case would test nothing). */
const plant = (text: string, from: string, to: string): string => {
  expect(text).toContain(from);
  return text.replace(from, to);
};

const bucketModule = (omit?: keyof typeof SECURE_BUCKET, replace: Partial<typeof SECURE_BUCKET> = {}) =>
  parseModule({
    'main.tf': Object.entries({ ...SECURE_BUCKET, ...replace })
      .filter(([k]) => k !== omit)
      .map(([, text]) => text)
      .join('\n\n'),
  });

/** A function wired like modules/lambda-function; planted cases break one piece. */
const lambdaModule = (overrides: { fn?: string; logGroup?: string; invokeConfig?: string } = {}) =>
  parseModule({
    'main.tf': [
      overrides.logGroup ??
        `resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/x-dev"
  retention_in_days = 7
}`,
      overrides.fn ??
        `resource "aws_lambda_function" "this" {
  function_name = "x-dev"
  role          = "arn:aws:iam::123456789012:role/x-dev"
  runtime       = "nodejs24.x"
  architectures = ["arm64"]
  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }
}`,
      overrides.invokeConfig ??
        `resource "aws_lambda_function_event_invoke_config" "this" {
  function_name = aws_lambda_function.this.function_name
  destination_config {
    on_failure {
      destination = aws_sqs_queue.dlq.arn
    }
  }
}`,
    ].join('\n\n'),
  });

describe('the repository tree', () => {
  it('has Terraform modules to check', () => {
    const dirs = modules.map((m) => m.dir);
    for (const expected of [
      'modules/network',
      'modules/lambda-function',
      'modules/monitoring',
      'modules/s3-bucket',
      'modules/eventbridge-dlq',
      // dev and prd link their .tf files to the shared root module in environments/common.
      'environments/common',
      'environments/dev',
      'environments/prd',
    ]) {
      expect(dirs).toContain(`infrastructure/terraform/${expected}`);
    }
  });

  it.each(Object.keys(RULES))('satisfies %s', (name) => {
    const rule = RULES[name];
    expect(rule).toBeDefined();
    expect(format(run(rule as Rule, modules))).toEqual([]);
  });
});

describe('S3 buckets', () => {
  it('accept a bucket with every control', async () => {
    expect(RULES.s3BucketsAreSecure?.(await bucketModule())).toEqual([]);
  });

  it.each<[string, keyof typeof SECURE_BUCKET, string]>([
    [
      'default encryption',
      'sse',
      'aws_s3_bucket.this: no aws_s3_bucket_server_side_encryption_configuration',
    ],
    ['a public access block', 'pab', 'no aws_s3_bucket_public_access_block'],
    ['a TLS-only bucket policy', 'policy', 'aws:SecureTransport'],
    ['ownership controls', 'ownership', 'aws_s3_bucket_ownership_controls'],
  ])('fail without %s (planted)', async (_what, omit, problem) => {
    expect(format(RULES.s3BucketsAreSecure!(await bucketModule(omit)))).toEqual([
      expect.stringContaining(problem),
    ]);
  });

  it('fail with a public access block that leaves one flag off (planted)', async () => {
    const partial = plant(
      SECURE_BUCKET.pab,
      'restrict_public_buckets = true',
      'restrict_public_buckets = false',
    );
    expect(format(RULES.s3BucketsAreSecure!(await bucketModule(undefined, { pab: partial })))).toEqual([
      expect.stringContaining('no aws_s3_bucket_public_access_block'),
    ]);
  });

  it('fail when the encryption configuration is attached to another bucket (planted)', async () => {
    const other = plant(SECURE_BUCKET.sse, 'aws_s3_bucket.this.id', 'aws_s3_bucket.logs.id');
    expect(format(RULES.s3BucketsAreSecure!(await bucketModule(undefined, { sse: other })))).toHaveLength(1);
  });

  it('the shared s3-bucket module passes with every control on aws_s3_bucket.this', async () => {
    const mod = await loadModule(path.join(terraformRoot, 'modules', 's3-bucket'));
    expect(mod.resources.filter((r) => r.type === 'aws_s3_bucket').map((r) => r.address)).toEqual([
      'aws_s3_bucket.this',
    ]);
    expect(format(RULES.s3BucketsAreSecure!(mod))).toEqual([]);
    expect(format(RULES.lifecycleRulesHaveFilter!(mod))).toEqual([]);
  });

  it('pipeline modules create their buckets through modules/s3-bucket', () => {
    for (const dir of ['modules/csv-processor', 'modules/batch-scheduler']) {
      const mod = modules.find((m) => m.dir === `infrastructure/terraform/${dir}`);
      expect(mod).toBeDefined();
      expect(mod!.resources.filter((r) => r.type === 'aws_s3_bucket')).toEqual([]);
      expect(mod!.moduleCalls.some((c) => c.body['source'] === '../s3-bucket')).toBe(true);
    }
  });

  it('fail on a raw bucket beside a module-built one in a pipeline module (planted)', async () => {
    const mod = await parseModule({
      'main.tf': `module "input_bucket" {
  source = "../s3-bucket"
  name   = "csv-processor-dev-input-123456789012"
}

resource "aws_s3_bucket" "scratch" {
  bucket = "csv-processor-dev-scratch-123456789012"
}`,
    });
    const found = format(RULES.s3BucketsAreSecure!(mod));
    expect(found).toHaveLength(4);
    expect(found.every((x) => x.includes('aws_s3_bucket.scratch'))).toBe(true);
  });

  it('fail when the controls are applied through for_each over several buckets (planted)', async () => {
    // The rule cannot tell which bucket each.value is: such controls are not credited.
    const mod = await parseModule({
      'main.tf': `${SECURE_BUCKET.bucket}

locals {
  buckets = { data = aws_s3_bucket.this }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

${SECURE_BUCKET.sse}

${SECURE_BUCKET.policy}

${SECURE_BUCKET.ownership}`,
    });
    expect(format(RULES.s3BucketsAreSecure!(mod))).toEqual([
      expect.stringContaining('aws_s3_bucket.this: no aws_s3_bucket_public_access_block'),
    ]);
  });

  it('lifecycle rules fail without filter {} (planted)', async () => {
    const mod = await parseModule({
      'main.tf': `resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    id     = "with-filter"
    status = "Enabled"
    filter {}
    expiration {
      days = 30
    }
  }
  rule {
    id     = "expire"
    status = "Enabled"
    expiration {
      days = 30
    }
  }
}`,
    });
    expect(format(RULES.lifecycleRulesHaveFilter!(mod))).toEqual([
      expect.stringContaining('lifecycle rule expire has no filter'),
    ]);
  });
});

describe('queues and topics', () => {
  it('fail when unencrypted (planted)', async () => {
    const mod = await parseModule({
      'main.tf': `resource "aws_sqs_queue" "ok" {
  name                    = "ok-dev"
  sqs_managed_sse_enabled = true
}
resource "aws_sqs_queue" "plain" {
  name                    = "plain-dev"
  sqs_managed_sse_enabled = false
}
resource "aws_sns_topic" "ok" {
  name              = "ok-dev"
  kms_master_key_id = var.kms_key_arn
}
resource "aws_sns_topic" "plain" {
  name = "plain-dev"
}`,
    });
    expect(format(RULES.queuesAndTopicsAreEncrypted!(mod))).toEqual([
      expect.stringContaining('aws_sqs_queue.plain'),
      expect.stringContaining('aws_sns_topic.plain'),
    ]);
  });
});

describe('IAM', () => {
  it('fails on a wildcard action in a policy document (planted)', async () => {
    const mod = await parseModule({
      'main.tf': `data "aws_iam_policy_document" "fn" {
  statement {
    sid       = "Named"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::data-dev/*"]
  }
  statement {
    sid       = "Wild"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::data-dev/*"]
  }
  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::data-dev/*"]
  }
  dynamic "statement" {
    for_each = [1]
    content {
      actions   = ["dynamodb:Get*"]
      resources = ["arn:aws:dynamodb:ap-northeast-1:123456789012:table/x-dev"]
    }
  }
}`,
    });
    expect(format(RULES.iamActionsAreNamed!(mod))).toEqual([
      expect.stringContaining('statement[Wild]: wildcard action s3:*'),
      expect.stringContaining('wildcard action dynamodb:Get*'),
    ]);
  });

  it('fails on a wildcard action in an inline jsonencode policy (planted)', async () => {
    const mod = await parseModule({
      'main.tf': `resource "aws_iam_role_policy" "fn" {
  role = "x"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::x" }]
  })
}`,
    });
    expect(format(RULES.iamActionsAreNamed!(mod))).toEqual([
      expect.stringContaining('aws_iam_role_policy.fn (inline policy): wildcard action *'),
    ]);
  });

  it('fails on "*" resources for actions that accept narrower ones (planted)', async () => {
    const mod = await parseModule({
      'main.tf': `data "aws_iam_policy_document" "fn" {
  statement {
    sid       = "XRay"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
  statement {
    sid       = "Secrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
  }
  statement {
    sid       = "DenyIsFine"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "key_policy" {
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
  }
}`,
    });
    expect(format(RULES.iamStarResourcesAreJustified!(mod))).toEqual([
      expect.stringContaining('statement[Secrets]: resources = ["*"] for secretsmanager:GetSecretValue'),
    ]);
  });
});

describe('Lambda functions', () => {
  it('accept a function with log group and DLQ', async () => {
    expect(RULES.lambdaFunctionsAreOperable!(await lambdaModule())).toEqual([]);
  });

  it('fail without a Terraform-managed log group (planted)', async () => {
    const mod = await lambdaModule({ logGroup: '' });
    expect(format(RULES.lambdaFunctionsAreOperable!(mod))).toEqual([expect.stringContaining('no log group')]);
  });

  it('fail without a DLQ (planted)', async () => {
    const mod = await lambdaModule({ invokeConfig: '' });
    expect(format(RULES.lambdaFunctionsAreOperable!(mod))).toEqual([expect.stringContaining('no DLQ')]);
  });

  it('accept dead_letter_config as the DLQ', async () => {
    const fn = `resource "aws_lambda_function" "this" {
  function_name = "x-dev"
  role          = "r"
  runtime       = "nodejs24.x"
  architectures = ["arm64"]
  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }
  dead_letter_config {
    target_arn = aws_sqs_queue.dlq.arn
  }
}`;
    expect(RULES.lambdaFunctionsAreOperable!(await lambdaModule({ fn, invokeConfig: '' }))).toEqual([]);
  });

  it('fail on another runtime or architecture (planted)', async () => {
    const fn = `resource "aws_lambda_function" "this" {
  function_name = "x-dev"
  role          = "r"
  runtime       = "nodejs20.x"
  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }
}`;
    expect(format(RULES.lambdaFunctionsAreOperable!(await lambdaModule({ fn })))).toEqual([
      expect.stringContaining('runtime must be "nodejs24.x"'),
      expect.stringContaining('architectures must be ["arm64"]'),
      expect.stringContaining('log_format must be "JSON"'),
    ]);
  });
});

describe('schedules and state machines', () => {
  it('schedules fail without retry_policy (planted)', async () => {
    const mod = await parseModule({
      'main.tf': `resource "aws_scheduler_schedule" "daily" {
  name                         = "sync-batch-dev-daily"
  schedule_expression          = "cron(0 0 * * ? *)"
  schedule_expression_timezone = "Asia/Tokyo"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = "arn"
    role_arn = "arn"
  }
}`,
    });
    expect(format(RULES.schedulesSetRetryPolicy!(mod))).toEqual([
      expect.stringContaining('without retry_policy'),
    ]);
  });

  it('state machine log groups fail without the vended-logs prefix (planted)', async () => {
    const mod = await parseModule({
      'main.tf': `resource "aws_cloudwatch_log_group" "sfn" {
  name              = "/aws/states/csv-user-log-processor-dev"
  retention_in_days = 7
}
resource "aws_sfn_state_machine" "this" {
  name       = "csv-user-log-processor-dev"
  role_arn   = "arn"
  definition = "{}"
  logging_configuration {
    log_destination        = "\${aws_cloudwatch_log_group.sfn.arn}:*"
    include_execution_data = true
    level                  = "ERROR"
  }
}`,
    });
    expect(format(RULES.stateMachineLogGroupsUseVendedPrefix!(mod))).toEqual([
      expect.stringContaining('/aws/vendedlogs/states/'),
    ]);
  });
});

describe('variables and outputs', () => {
  it('fail without a description or type (planted)', async () => {
    const mod = await parseModule({
      'variables.tf': `variable "ok" {
  type        = string
  description = "Described."
}
variable "undescribed" {
  type = string
}
variable "untyped" {
  description = "No type."
}
variable "blank" {
  type        = number
  description = "  "
}`,
      'outputs.tf': `output "ok" {
  description = "Described."
  value       = 1
}
output "bare" {
  value = 1
}`,
    });
    expect(format(RULES.variablesAreTypedAndDescribed!(mod))).toEqual([
      expect.stringContaining('variable.blank: variable without a description'),
      expect.stringContaining('variable.undescribed: variable without a description'),
      expect.stringContaining('variable.untyped: variable without a type'),
    ]);
    expect(format(RULES.outputsAreDescribed!(mod))).toEqual([expect.stringContaining('output.bare')]);
  });
});

describe('module layout', () => {
  const modulesDir = path.join(terraformRoot, 'modules');
  const moduleNames = existsSync(modulesDir)
    ? readdirSync(modulesDir, { withFileTypes: true })
        // A folder is a module once it holds a .tf file (a new, empty one is not yet).
        .filter(
          (d) => d.isDirectory() && readdirSync(path.join(modulesDir, d.name)).some((f) => f.endsWith('.tf')),
        )
        .map((d) => d.name)
    : [];

  /** Missing files and wrong version constraints of one module folder. */
  const layoutProblems = (files: Record<string, string | undefined>): string[] => {
    const problems: string[] = [];
    for (const f of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md']) {
      if (files[f] === undefined) problems.push(`missing ${f}`);
    }
    const versions = files['versions.tf'] ?? '';
    if (!/required_version\s*=\s*">=\s*1\.1\d/.test(versions))
      problems.push('required_version must be >= 1.10');
    if (!/version\s*=\s*">=\s*6\.25,\s*<\s*7\.0"/.test(versions))
      problems.push('hashicorp/aws must be ">= 6.25, < 7.0"');
    return problems;
  };

  const read = (dir: string): Record<string, string | undefined> =>
    Object.fromEntries(
      ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md'].map((f) => {
        const p = path.join(dir, f);
        return [f, existsSync(p) ? readFileSync(p, 'utf8') : undefined];
      }),
    );

  it.each(moduleNames)(
    'modules/%s has main/variables/outputs/versions.tf, README.md and the version constraints',
    (name) => {
      expect(layoutProblems(read(path.join(modulesDir, name)))).toEqual([]);
    },
  );

  it.each(['dev', 'prd'])('environments/%s has its root-module files', (env) => {
    const dir = path.join(terraformRoot, 'environments', env);
    for (const f of [
      'main.tf',
      'variables.tf',
      'outputs.tf',
      'versions.tf',
      'backend.tf',
      'backend.hcl',
      'terraform.tfvars',
    ]) {
      expect(existsSync(path.join(dir, f))).toBe(true);
    }
    expect(readFileSync(path.join(dir, 'backend.hcl'), 'utf8')).toMatch(/use_lockfile\s*=\s*true/);
    expect(readFileSync(path.join(dir, 'backend.tf'), 'utf8')).toMatch(/backend\s+"s3"\s*\{\s*\}/);
  });

  it('flags a module without README.md and with an old provider constraint (planted)', () => {
    expect(
      layoutProblems({
        'main.tf': '',
        'variables.tf': '',
        'outputs.tf': '',
        'versions.tf':
          'terraform {\n  required_version = ">= 1.10"\n  required_providers {\n    aws = { source = "hashicorp/aws", version = ">= 5.0" }\n  }\n}\n',
      }),
    ).toEqual(['missing README.md', 'hashicorp/aws must be ">= 6.25, < 7.0"']);
  });
});

// ---------------------------------------------------------------------------
// The bootstrap's deploy roles, evaluated: the apply role cannot make itself
// administrator, cannot reach another environment, and holds every action the
// modules' resources need; the plan role reads configuration, never data.
// ---------------------------------------------------------------------------

const ENVIRONMENTS = ['dev', 'prd'] as const;
const other = (env: string): string => (env === 'dev' ? 'prd' : 'dev');
const STATE_BUCKET = `arn:aws:s3:::aws-data-pipelines-tfstate-${SAMPLE_ACCOUNT}-ap-northeast-1`;
const iam = (rest: string) => `arn:aws:iam::${SAMPLE_ACCOUNT}:${rest}`;
const regional = (service: string, rest: string) =>
  `arn:aws:${service}:ap-northeast-1:${SAMPLE_ACCOUNT}:${rest}`;
const KEY = regional('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab');

describe('bootstrap: deploy roles and workload boundary', () => {
  let bootstrap: TfModule;
  /** Modules whose resources the apply role deploys (the bootstrap is run by an administrator). */
  let deployed: TfModule[];

  beforeAll(async () => {
    bootstrap = await loadModule(path.join(terraformRoot, 'bootstrap'));
    deployed = modules.filter((m) => !m.dir.endsWith('/bootstrap'));
  });

  const scope = (env: string) => ({
    each: { key: env },
    refs: {
      'data.aws_caller_identity.current.account_id': SAMPLE_ACCOUNT,
      'data.aws_partition.current.partition': 'aws',
      'aws_s3_bucket.state.arn': STATE_BUCKET,
    },
  });
  const policiesOf = (roleName: 'apply' | 'plan', env: string) =>
    rolePolicies(bootstrap, roleName, scope(env), { ReadOnlyAccess: READ_ONLY_ACCESS_MODEL });
  const apply = (env: string): IamStatement[] => allStatements(policiesOf('apply', env));
  const plan = (env: string): IamStatement[] => allStatements(policiesOf('plan', env));
  const boundary = (env: string): IamStatement[] =>
    renderPolicyDocument(bootstrap, 'workload_boundary', scope(env));
  const types = () => [...resourceTypes(deployed).keys()];

  it('names the boundary and the workload path as the contract with the modules says', () => {
    // aws_iam_policy.environment makes it, keyed "<kind>-<env>", from local.environment_policies.
    const policy = bootstrap.resources.find((r) => r.type === 'aws_iam_policy' && r.name === 'environment');
    expect(policy?.body['policy']).toBe(
      '${local.environment_policies[each.value.kind].document[each.value.env].json}',
    );
    const kind = 'workload-boundary';
    for (const env of ENVIRONMENTS) {
      const at = { module: bootstrap, ...scope(env), each: { key: `${kind}-${env}`, value: { kind, env } } };
      expect(
        render(`\${local.environment_policies["${kind}"].document}`, { ...at, fallback: (e) => e }),
      ).toBe('data.aws_iam_policy_document.workload_boundary');
      const name = render(policy!.body['name'] as string, at);
      expect(`arn:aws:iam::${SAMPLE_ACCOUNT}:policy/${String(name)}`).toBe(boundaryArn(env));
    }
    expect(render('${local.workload_path}', { module: bootstrap, ...scope('dev') })).toBe(WORKLOAD_PATH);
  });

  it('relies on tags the environments really set: default_tags Environment = var.environment', () => {
    const common = modules.find((m) => m.dir === 'infrastructure/terraform/environments/common');
    expect(common).toBeDefined();
    const providers = Object.values(common!.files).flatMap((f) => nestedBlocks(f, 'provider'));
    const tags = providers
      .flatMap((p) => nestedBlocks(p, 'aws'))
      .flatMap((aws) => nestedBlocks(aws, 'default_tags'))
      .map((d) => d['tags']);
    expect(tags).toEqual([expect.objectContaining({ Environment: '${var.environment}' })]);
  });

  describe('policy sizes stay within the IAM quotas', () => {
    it.each(ENVIRONMENTS)(
      '%s: each managed policy ≤ 6,144 characters, inline policies ≤ 10,240 together',
      (env) => {
        const oversize: string[] = [];
        for (const roleName of ['apply', 'plan'] as const) {
          const p = policiesOf(roleName, env);
          for (const [name, statements] of Object.entries(p.managed)) {
            const chars = policyJson(statements).length;
            if (statements !== READ_ONLY_ACCESS_MODEL && chars > MANAGED_POLICY_MAX_CHARS)
              oversize.push(`${name}: ${chars}`);
          }
          const inline = Object.values(p.inline).reduce((n, s) => n + policyJson(s).length, 0);
          if (inline > ROLE_INLINE_POLICIES_MAX_CHARS)
            oversize.push(`${roleName} inline policies: ${inline}`);
          // Default quota: 10 managed policies per role.
          if (Object.keys(p.managed).length > 10)
            oversize.push(`${roleName}: ${Object.keys(p.managed).length} managed policies`);
        }
        const chars = policyJson(boundary(env)).length;
        if (chars > MANAGED_POLICY_MAX_CHARS) oversize.push(`workload_boundary: ${chars}`);
        expect(oversize).toEqual([]);
      },
    );

    it('counts the characters AWS counts (planted)', () => {
      const big: IamStatement = {
        sid: 'Big',
        effect: 'Allow',
        actions: ['s3:GetObject'],
        resources: Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::bucket-${i}-dev/*`),
        conditions: [],
      };
      expect(policyJson([big]).length).toBeGreaterThan(MANAGED_POLICY_MAX_CHARS);
    });
  });

  describe('the apply role holds every action the modules need', () => {
    it('knows every resource type the modules use (add a new type to RESOURCE_NEEDS in rules.ts)', () => {
      expect(unknownResourceTypes(resourceTypes(deployed))).toEqual([]);
    });

    it.each(ENVIRONMENTS)('%s: every create/update/delete of its own resources is allowed', (env) => {
      expect(unmetNeeds(apply(env), types(), env)).toEqual([]);
    });

    it.each(ENVIRONMENTS)("%s: none of them reaches the other environment's resources", (env) => {
      expect(crossEnvironmentReach(apply(env), types(), other(env))).toEqual([]);
    });

    it.each(ENVIRONMENTS)('%s: may create every named resource under the name its module gives it', (env) => {
      expect(unmatchedNames(apply(env), deployed, env)).toEqual([]);
    });

    it('fails on a name outside the patterns (planted)', async () => {
      const planted = await parseModule({
        'main.tf': `variable "environment" {
  type        = string
  description = "Environment."
}
locals {
  prefix = "csv-processor-\${var.environment}"
}
resource "aws_iam_role" "events" {
  name               = "\${local.prefix}-events"
  assume_role_policy = "{}"
}
resource "aws_iam_role" "prefixed" {
  name               = "\${var.environment}-events"
  assume_role_policy = "{}"
}
resource "aws_sqs_queue" "fixed" {
  name = "shared-queue"
}
resource "aws_sqs_queue" "from_caller" {
  name = var.name
}`,
      });
      expect(unmatchedNames(apply('dev'), [planted], 'dev')).toEqual([
        expect.stringContaining('aws_iam_role.prefixed "dev-events": iam:CreateRole'),
        expect.stringContaining('aws_iam_role.prefixed "dev-events": iam:TagRole'),
        expect.stringContaining('aws_sqs_queue.fixed "shared-queue": sqs:CreateQueue'),
      ]);
    });

    it('invokes on apply only functions named *-migrate (the only ones it may invoke)', () => {
      const invoked = deployed.flatMap((m) =>
        m.moduleCalls
          .filter((c) => String(c.body['source']).endsWith('/db-migration'))
          .map((c) => `${m.dir}: ${c.address}: ${String(c.body['name'])}`),
      );
      expect(invoked.length).toBeGreaterThan(0);
      expect(invoked.filter((x) => !x.endsWith('-migrate'))).toEqual([]);
      // aws_lambda_invocation lives only in modules/db-migration, which takes those names.
      const invocations = deployed.flatMap((m) =>
        m.resources.filter((r) => r.type === 'aws_lambda_invocation').map(() => m.dir),
      );
      expect([...new Set(invocations)]).toEqual(['infrastructure/terraform/modules/db-migration']);
    });

    it('covers the resources the issue found missing: a DB parameter group and alias/csv-processor-dev', () => {
      const dev = apply('dev');
      expect(
        evaluate(dev, {
          action: 'rds:CreateDBParameterGroup',
          resource: regional('rds', 'pg:batch-scheduler-dev-postgres16'),
          context: created('dev'),
        }),
      ).toBe('allowed');
      expect(
        evaluate(dev, { action: 'kms:CreateAlias', resource: regional('kms', 'alias/csv-processor-dev') }),
      ).toBe('allowed');
    });

    it('fails when a module uses a resource type missing from the table (planted)', async () => {
      const planted = await parseModule({
        'main.tf': 'resource "aws_glue_job" "etl" {\n  name = "etl-dev"\n}',
      });
      expect(unknownResourceTypes(resourceTypes([planted]))).toEqual([
        expect.stringContaining('aws_glue_job (<inline>: aws_glue_job.etl) is not in RESOURCE_NEEDS'),
      ]);
    });

    it('fails when the policy loses an action a resource needs (planted)', () => {
      const without = apply('dev').map((s) => ({
        ...s,
        actions: s.actions?.filter((a) => a !== 'rds:CreateDBParameterGroup'),
      }));
      expect(unmetNeeds(without, ['aws_db_parameter_group'], 'dev')).toEqual([
        expect.stringContaining('rds:CreateDBParameterGroup on arn:aws:rds:'),
      ]);
    });

    it('fails when a statement reaches every environment (planted)', () => {
      const wide: IamStatement = {
        sid: 'Wide',
        effect: 'Allow',
        actions: ['rds:DeleteDBCluster'],
        resources: [regional('rds', '*')],
        conditions: [],
      };
      const statements = apply('dev').filter((s) => s.sid !== 'NoOtherEnvironmentsResources');
      expect(crossEnvironmentReach([...statements, wide], ['aws_rds_cluster'], 'prd')).toEqual([
        expect.stringContaining(
          'rds:DeleteDBCluster on arn:aws:rds:ap-northeast-1:123456789012:cluster:x-prd',
        ),
      ]);
    });
  });

  /** [what the apply role of `env` tries, the request, the decision expected]. */
  const applyScenarios = (env: string): [string, IamRequest, Decision][] => {
    const o = other(env);
    const ownRole = iam(`role/terraform-apply-${env}`);
    const workloadRole = iam(`role/pipelines/sync-batch-${env}`);
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    return [
      // Its own role and the bootstrap's policies
      [
        'attaches AdministratorAccess to its own role',
        { action: 'iam:AttachRolePolicy', resource: ownRole, context: { 'iam:PolicyARN': admin } },
        'explicitly denied',
      ],
      [
        'puts an inline policy on its own role',
        { action: 'iam:PutRolePolicy', resource: ownRole },
        'explicitly denied',
      ],
      [
        'deletes an inline policy of its own role',
        { action: 'iam:DeleteRolePolicy', resource: ownRole },
        'explicitly denied',
      ],
      [
        'rewrites the trust policy of its own role',
        { action: 'iam:UpdateAssumeRolePolicy', resource: ownRole },
        'explicitly denied',
      ],
      [
        'changes the plan role',
        {
          action: 'iam:AttachRolePolicy',
          resource: iam(`role/terraform-plan-${env}`),
          context: { 'iam:PolicyARN': admin },
        },
        'explicitly denied',
      ],
      [
        'passes its own role to Lambda',
        {
          action: 'iam:PassRole',
          resource: ownRole,
          context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
        },
        'explicitly denied',
      ],
      [
        'publishes a new version of its deploy policy',
        { action: 'iam:CreatePolicyVersion', resource: iam(`policy/terraform-deploy-iam-${env}`) },
        'explicitly denied',
      ],
      [
        'publishes a new version of the boundary',
        { action: 'iam:CreatePolicyVersion', resource: boundaryArn(env) },
        'explicitly denied',
      ],
      [
        'switches the boundary to another version',
        { action: 'iam:SetDefaultPolicyVersion', resource: boundaryArn(env) },
        'explicitly denied',
      ],
      [
        'deletes the boundary',
        { action: 'iam:DeletePolicy', resource: boundaryArn(env) },
        'explicitly denied',
      ],
      [
        'changes the OIDC provider',
        {
          action: 'iam:UpdateOpenIDConnectProviderThumbprint',
          resource: iam('oidc-provider/token.actions.githubusercontent.com'),
        },
        'explicitly denied',
      ],
      ['creates a user', { action: 'iam:CreateUser', resource: iam('user/backdoor') }, 'explicitly denied'],
      [
        'creates an access key',
        { action: 'iam:CreateAccessKey', resource: iam('user/someone') },
        'explicitly denied',
      ],
      // Workload roles
      [
        'creates a role under /pipelines/ with its boundary',
        {
          action: 'iam:CreateRole',
          resource: workloadRole,
          context: created(env, { 'iam:PermissionsBoundary': boundaryArn(env) }),
        },
        'allowed',
      ],
      [
        'creates a role under /pipelines/ without a boundary',
        { action: 'iam:CreateRole', resource: workloadRole, context: created(env) },
        'explicitly denied',
      ],
      [
        "creates a role with the other environment's boundary",
        {
          action: 'iam:CreateRole',
          resource: workloadRole,
          context: created(env, { 'iam:PermissionsBoundary': boundaryArn(o) }),
        },
        'explicitly denied',
      ],
      [
        'creates a role outside /pipelines/',
        {
          action: 'iam:CreateRole',
          resource: iam(`role/sync-batch-${env}`),
          context: created(env, { 'iam:PermissionsBoundary': boundaryArn(env) }),
        },
        'implicitly denied',
      ],
      [
        'puts a policy on a workload role with its boundary',
        {
          action: 'iam:PutRolePolicy',
          resource: workloadRole,
          context: existing(env, { 'iam:PermissionsBoundary': boundaryArn(env) }),
        },
        'allowed',
      ],
      [
        "puts a policy on the other environment's workload role",
        {
          action: 'iam:PutRolePolicy',
          resource: iam(`role/pipelines/sync-batch-${o}`),
          context: existing(o, { 'iam:PermissionsBoundary': boundaryArn(o) }),
        },
        'explicitly denied',
      ],
      [
        'attaches AdministratorAccess to a workload role',
        {
          action: 'iam:AttachRolePolicy',
          resource: workloadRole,
          context: existing(env, { 'iam:PermissionsBoundary': boundaryArn(env), 'iam:PolicyARN': admin }),
        },
        'implicitly denied',
      ],
      [
        'removes the boundary of a workload role',
        {
          action: 'iam:DeleteRolePermissionsBoundary',
          resource: workloadRole,
          context: existing(env, { 'iam:PermissionsBoundary': boundaryArn(env) }),
        },
        'explicitly denied',
      ],
      [
        'replaces the boundary of a workload role with another policy',
        {
          action: 'iam:PutRolePermissionsBoundary',
          resource: workloadRole,
          context: existing(env, { 'iam:PermissionsBoundary': admin }),
        },
        'explicitly denied',
      ],
      [
        'passes a workload role to Lambda',
        {
          action: 'iam:PassRole',
          resource: workloadRole,
          context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
        },
        'allowed',
      ],
      [
        'passes a workload role to EC2',
        {
          action: 'iam:PassRole',
          resource: workloadRole,
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        },
        'implicitly denied',
      ],
      [
        'passes a workload role to any service',
        { action: 'iam:PassRole', resource: workloadRole },
        'implicitly denied',
      ],
      // KMS, EC2, RDS: tags decide
      [
        'schedules deletion of a key tagged for the other environment',
        { action: 'kms:ScheduleKeyDeletion', resource: KEY, context: existing(o) },
        'explicitly denied',
      ],
      [
        'schedules deletion of its own key',
        { action: 'kms:ScheduleKeyDeletion', resource: KEY, context: existing(env) },
        'allowed',
      ],
      [
        'schedules deletion of an untagged key',
        { action: 'kms:ScheduleKeyDeletion', resource: KEY },
        'implicitly denied',
      ],
      [
        "rewrites the policy of the other environment's key",
        { action: 'kms:PutKeyPolicy', resource: KEY, context: existing(o) },
        'explicitly denied',
      ],
      [
        'creates a key tagged for the other environment',
        { action: 'kms:CreateKey', resource: '*', context: created(o) },
        'explicitly denied',
      ],
      ['creates an untagged key', { action: 'kms:CreateKey', resource: '*' }, 'implicitly denied'],
      [
        'retags its own key for the other environment',
        {
          action: 'kms:TagResource',
          resource: KEY,
          context: existing(env, { 'aws:RequestTag/Environment': o, 'aws:TagKeys': ['Environment'] }),
        },
        'explicitly denied',
      ],
      [
        'removes the Environment tag of its own key',
        {
          action: 'kms:UntagResource',
          resource: KEY,
          context: existing(env, { 'aws:TagKeys': ['Environment'] }),
        },
        'explicitly denied',
      ],
      [
        "deletes the other environment's VPC",
        { action: 'ec2:DeleteVpc', resource: regional('ec2', 'vpc/vpc-0123'), context: existing(o) },
        'explicitly denied',
      ],
      [
        'deletes an untagged VPC',
        { action: 'ec2:DeleteVpc', resource: regional('ec2', 'vpc/vpc-0123') },
        'implicitly denied',
      ],
      [
        "opens the other environment's security group",
        {
          action: 'ec2:AuthorizeSecurityGroupIngress',
          resource: regional('ec2', 'security-group/sg-0123'),
          context: existing(o),
        },
        'explicitly denied',
      ],
      [
        'runs an EC2 instance',
        { action: 'ec2:RunInstances', resource: regional('ec2', 'instance/*'), context: created(env) },
        'implicitly denied',
      ],
      [
        "deletes the other environment's database cluster",
        {
          action: 'rds:DeleteDBCluster',
          resource: regional('rds', `cluster:csv-processor-${o}`),
          context: existing(o),
        },
        'explicitly denied',
      ],
      [
        "modifies the other environment's database instance",
        {
          action: 'rds:ModifyDBInstance',
          resource: regional('rds', `db:batch-scheduler-${o}`),
          context: existing(o),
        },
        'explicitly denied',
      ],
      [
        'creates a DB parameter group for itself',
        {
          action: 'rds:CreateDBParameterGroup',
          resource: regional('rds', `pg:batch-scheduler-${env}-postgres16`),
          context: created(env),
        },
        'allowed',
      ],
      // The operators' bastion (modules/network): one instance shape, one role, one profile
      [
        'runs its bastion: a t4g.nano with its bastion profile and IMDSv2 required',
        { action: 'ec2:RunInstances', resource: regional('ec2', 'instance/*'), context: bastionLaunch(env) },
        'allowed',
      ],
      [
        'runs a larger instance with the bastion profile',
        {
          action: 'ec2:RunInstances',
          resource: regional('ec2', 'instance/*'),
          context: bastionLaunch(env, { 'ec2:InstanceType': 'm7g.16xlarge' }),
        },
        'implicitly denied',
      ],
      [
        'runs the bastion with IMDSv1 allowed',
        {
          action: 'ec2:RunInstances',
          resource: regional('ec2', 'instance/*'),
          context: bastionLaunch(env, { 'ec2:MetadataHttpTokens': 'optional' }),
        },
        'implicitly denied',
      ],
      [
        'runs an instance with a workload role profile that is not the bastion one',
        {
          action: 'ec2:RunInstances',
          resource: regional('ec2', 'instance/*'),
          context: bastionLaunch(env, {
            'ec2:InstanceProfile': iam(`instance-profile/pipelines/sync-batch-${env}`),
          }),
        },
        'implicitly denied',
      ],
      [
        "runs an instance with the other environment's bastion profile",
        {
          action: 'ec2:RunInstances',
          resource: regional('ec2', 'instance/*'),
          context: bastionLaunch(env, { 'ec2:InstanceProfile': bastionProfile(o) }),
        },
        'implicitly denied',
      ],
      [
        'runs the bastion tagged for the other environment',
        { action: 'ec2:RunInstances', resource: regional('ec2', 'instance/*'), context: bastionLaunch(o) },
        'explicitly denied',
      ],
      [
        'launches with an unencrypted root volume',
        {
          action: 'ec2:RunInstances',
          resource: regional('ec2', 'volume/*'),
          context: created(env, { 'ec2:Encrypted': false }),
        },
        'implicitly denied',
      ],
      [
        'launches from an image Amazon does not own',
        {
          action: 'ec2:RunInstances',
          resource: 'arn:aws:ec2:ap-northeast-1::image/ami-0123456789abcdef0',
          context: { 'ec2:Owner': '999999999999' },
        },
        'implicitly denied',
      ],
      [
        'passes the bastion role to EC2',
        {
          action: 'iam:PassRole',
          resource: bastionRole(env),
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        },
        'allowed',
      ],
      [
        // iam:AddRoleToInstanceProfile checks PassRole without naming a service.
        'passes the bastion role into its instance profile (no iam:PassedToService in the request)',
        { action: 'iam:PassRole', resource: bastionRole(env) },
        'allowed',
      ],
      [
        'passes a bastion-named role outside /pipelines/ to EC2',
        {
          action: 'iam:PassRole',
          resource: iam(`role/platform-${env}-bastion`),
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        },
        'implicitly denied',
      ],
      [
        "passes the other environment's bastion role to EC2",
        {
          action: 'iam:PassRole',
          resource: bastionRole(o),
          context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        },
        'implicitly denied',
      ],
      [
        'terminates its own bastion',
        {
          action: 'ec2:TerminateInstances',
          resource: regional('ec2', 'instance/i-0123'),
          context: existing(env),
        },
        'allowed',
      ],
      [
        "terminates the other environment's bastion",
        {
          action: 'ec2:TerminateInstances',
          resource: regional('ec2', 'instance/i-0123'),
          context: existing(o),
        },
        'explicitly denied',
      ],
      [
        "changes the other environment's bastion's metadata options",
        {
          action: 'ec2:ModifyInstanceMetadataOptions',
          resource: regional('ec2', 'instance/i-0123'),
          context: existing(o),
        },
        'explicitly denied',
      ],
      [
        'creates its bastion instance profile',
        { action: 'iam:CreateInstanceProfile', resource: bastionProfile(env), context: created(env) },
        'allowed',
      ],
      [
        'creates another instance profile under /pipelines/',
        {
          action: 'iam:CreateInstanceProfile',
          resource: iam(`instance-profile/pipelines/sync-batch-${env}`),
          context: created(env),
        },
        'explicitly denied',
      ],
      [
        "puts a role into the other environment's bastion profile",
        { action: 'iam:AddRoleToInstanceProfile', resource: bastionProfile(o) },
        'explicitly denied',
      ],
      [
        'lists the instance profiles of a role it deletes',
        { action: 'iam:ListInstanceProfilesForRole', resource: workloadRole },
        'allowed',
      ],
      [
        "reads the bastion's AMI id from AWS's public parameter",
        {
          action: 'ssm:GetParameter',
          resource:
            'arn:aws:ssm:ap-northeast-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
        },
        'allowed',
      ],
      // Invocations
      [
        'invokes its migrate function',
        { action: 'lambda:InvokeFunction', resource: regional('lambda', `function:csv-migrate-${env}`) },
        'allowed',
      ],
      [
        "invokes the other environment's migrate function",
        { action: 'lambda:InvokeFunction', resource: regional('lambda', `function:csv-migrate-${o}`) },
        'explicitly denied',
      ],
      [
        'invokes a pipeline function',
        { action: 'lambda:InvokeFunction', resource: regional('lambda', `function:sync-batch-${env}`) },
        'explicitly denied',
      ],
      // State and data
      [
        'writes its state',
        { action: 's3:PutObject', resource: `${STATE_BUCKET}/aws-data-pipelines/${env}/terraform.tfstate` },
        'allowed',
      ],
      [
        "writes the other environment's state",
        { action: 's3:PutObject', resource: `${STATE_BUCKET}/aws-data-pipelines/${o}/terraform.tfstate` },
        'implicitly denied',
      ],
      [
        "reads the other environment's state",
        { action: 's3:GetObject', resource: `${STATE_BUCKET}/aws-data-pipelines/${o}/terraform.tfstate` },
        'explicitly denied',
      ],
      [
        'reads an object of a data bucket',
        {
          action: 's3:GetObject',
          resource: `arn:aws:s3:::csv-processor-${env}-input-${SAMPLE_ACCOUNT}/incoming/users.csv`,
        },
        'explicitly denied',
      ],
    ];
  };

  describe.each(ENVIRONMENTS)('the %s apply role', (env) => {
    it.each(applyScenarios(env))('%s: %j → %s', (_what, req, expected) => {
      expect(evaluate(apply(env), req)).toBe(expected);
    });
  });

  describe.each(ENVIRONMENTS)('the %s plan role', (env) => {
    const bucketObject = `arn:aws:s3:::csv-processor-${env}-input-${SAMPLE_ACCOUNT}/incoming/users.csv`;
    const table = regional('dynamodb', `table/ProcessingLogs-${env}`);
    const scenarios: [string, IamRequest, Decision][] = [
      [
        'reads its state',
        { action: 's3:GetObject', resource: `${STATE_BUCKET}/aws-data-pipelines/${env}/terraform.tfstate` },
        'allowed',
      ],
      [
        'writes its lock file',
        {
          action: 's3:PutObject',
          resource: `${STATE_BUCKET}/aws-data-pipelines/${env}/terraform.tfstate.tflock`,
        },
        'allowed',
      ],
      [
        'writes its state',
        { action: 's3:PutObject', resource: `${STATE_BUCKET}/aws-data-pipelines/${env}/terraform.tfstate` },
        'implicitly denied',
      ],
      [
        "reads the other environment's state",
        {
          action: 's3:GetObject',
          resource: `${STATE_BUCKET}/aws-data-pipelines/${other(env)}/terraform.tfstate`,
        },
        'explicitly denied',
      ],
      [
        'describes a bucket',
        {
          action: 's3:GetBucketPolicy',
          resource: `arn:aws:s3:::csv-processor-${env}-input-${SAMPLE_ACCOUNT}`,
        },
        'allowed',
      ],
      ['describes a table', { action: 'dynamodb:DescribeTable', resource: table }, 'allowed'],
      [
        'describes a secret',
        {
          action: 'secretsmanager:DescribeSecret',
          resource: regional('secretsmanager', `secret:sync-batch-${env}/youtube-api-key-AbCdEf`),
        },
        'allowed',
      ],
      [
        'reads a function',
        { action: 'lambda:GetFunction', resource: regional('lambda', `function:sync-batch-${env}`) },
        'allowed',
      ],
      [
        'reads an object of a data bucket',
        { action: 's3:GetObject', resource: bucketObject },
        'explicitly denied',
      ],
      [
        'reads an object version of a data bucket',
        { action: 's3:GetObjectVersion', resource: bucketObject },
        'explicitly denied',
      ],
      ['gets an item', { action: 'dynamodb:GetItem', resource: table }, 'explicitly denied'],
      ['queries a table', { action: 'dynamodb:Query', resource: table }, 'explicitly denied'],
      ['scans a table', { action: 'dynamodb:Scan', resource: table }, 'explicitly denied'],
      [
        'reads a secret value',
        {
          action: 'secretsmanager:GetSecretValue',
          resource: regional('secretsmanager', `secret:sync-batch-${env}/youtube-api-key-AbCdEf`),
        },
        'explicitly denied',
      ],
      [
        'reads log events',
        {
          action: 'logs:GetLogEvents',
          resource: regional('logs', `log-group:/aws/lambda/sync-batch-${env}:*`),
        },
        'explicitly denied',
      ],
      [
        "reads a state machine execution's input and output",
        {
          action: 'states:DescribeExecution',
          resource: regional('states', `execution:csv-user-log-processor-${env}:run-1`),
        },
        'explicitly denied',
      ],
      [
        'downloads a database log',
        { action: 'rds:DownloadDBLogFilePortion', resource: regional('rds', `db:batch-scheduler-${env}`) },
        'explicitly denied',
      ],
      [
        'receives queue messages',
        { action: 'sqs:ReceiveMessage', resource: regional('sqs', `sync-batch-${env}-dlq`) },
        'explicitly denied',
      ],
      [
        'invokes the migrate function',
        { action: 'lambda:InvokeFunction', resource: regional('lambda', `function:csv-migrate-${env}`) },
        'implicitly denied',
      ],
      [
        "reads the bastion's AMI id from AWS's public parameter",
        {
          action: 'ssm:GetParameter',
          resource:
            'arn:aws:ssm:ap-northeast-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
        },
        'allowed',
      ],
      [
        'reads a parameter of the account',
        { action: 'ssm:GetParameter', resource: regional('ssm', `parameter/pipelines/${env}/token`) },
        'explicitly denied',
      ],
    ];
    it.each(scenarios)('%s: %j → %s', (_what, req, expected) => {
      expect(evaluate(plan(env), req)).toBe(expected);
    });

    it('can change nothing a module deploys', () => {
      const isRead = (action: string) => /^[\w-]+:(Get|List|Describe)/.test(action);
      const writes = types().flatMap((type) =>
        (RESOURCE_NEEDS[type] ?? []).flatMap((need) =>
          need.actions
            .filter((action) => !isRead(action))
            .map((action) => ({ action, resource: need.resource(env), context: need.context(env) }))
            .filter((req) => evaluate(plan(env), req) === 'allowed')
            .map((req) => `${type}: ${req.action}`),
        ),
      );
      expect(writes).toEqual([]);
    });
  });

  describe('the workload boundary', () => {
    it.each(ENVIRONMENTS)('%s: allows every action the modules grant their roles', (env) => {
      expect(boundaryGaps(boundary(env), deployed)).toEqual([]);
    });

    it('reports an action the boundary would cut (planted)', async () => {
      const planted = await parseModule({
        'main.tf': `data "aws_iam_policy_document" "fn" {
  statement {
    actions   = ["glue:StartJobRun", "s3:GetObject"]
    resources = ["arn:aws:glue:ap-northeast-1:123456789012:job/etl-dev"]
  }
  statement {
    actions   = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}`,
      });
      expect(boundaryGaps(boundary('dev'), [planted])).toEqual([
        '<inline>: data.aws_iam_policy_document.fn.statement[0]: glue:StartJobRun',
      ]);
    });

    it('reads actions a statement takes from a local list, and reports those the boundary would cut (planted)', async () => {
      const planted = await parseModule({
        'main.tf': `locals {
  agent_actions = ["ssmmessages:OpenDataChannel", "ssm:SendCommand"]
}
data "aws_iam_policy_document" "fn" {
  statement {
    sid       = "Agent"
    actions   = local.agent_actions
    resources = ["*"]
  }
}`,
      });
      expect(boundaryGaps(boundary('dev'), [planted])).toEqual([
        '<inline>: data.aws_iam_policy_document.fn.statement[Agent]: ssm:SendCommand',
      ]);
      expect(format(RULES.iamStarResourcesAreJustified!(planted))).toEqual([
        expect.stringContaining('statement[Agent]: resources = ["*"] for ssm:SendCommand'),
      ]);
    });

    /** Whatever a workload role's own policy says: here, everything. */
    const everything: IamStatement[] = [
      { sid: 'All', effect: 'Allow', actions: ['*'], resources: ['*'], conditions: [] },
    ];
    const workloadScenarios = (env: string): [string, IamRequest, Decision][] => {
      const o = other(env);
      return [
        [
          'reads its own bucket',
          {
            action: 's3:GetObject',
            resource: `arn:aws:s3:::csv-processor-${env}-input-${SAMPLE_ACCOUNT}/a.csv`,
          },
          'allowed',
        ],
        [
          "reads the other environment's bucket",
          {
            action: 's3:GetObject',
            resource: `arn:aws:s3:::csv-processor-${o}-input-${SAMPLE_ACCOUNT}/a.csv`,
          },
          'implicitly denied',
        ],
        [
          'decrypts with its own key',
          { action: 'kms:Decrypt', resource: KEY, context: existing(env) },
          'allowed',
        ],
        [
          "decrypts with the other environment's key",
          { action: 'kms:Decrypt', resource: KEY, context: existing(o) },
          'explicitly denied',
        ],
        [
          "reads the other environment's secret",
          {
            action: 'secretsmanager:GetSecretValue',
            resource: regional('secretsmanager', `secret:sync-batch-${o}/youtube-api-key-AbCdEf`),
          },
          'implicitly denied',
        ],
        [
          'writes items to its own table',
          { action: 'dynamodb:PutItem', resource: regional('dynamodb', `table/ProcessingLogs-${env}`) },
          'allowed',
        ],
        [
          "invokes the other environment's function",
          { action: 'lambda:InvokeFunction', resource: regional('lambda', `function:sync-batch-${o}`) },
          'implicitly denied',
        ],
        [
          'creates a role',
          { action: 'iam:CreateRole', resource: iam(`role/pipelines/x-${env}`) },
          'implicitly denied',
        ],
        [
          'puts a policy on its own role',
          { action: 'iam:PutRolePolicy', resource: iam(`role/pipelines/sync-batch-${env}`) },
          'implicitly denied',
        ],
        [
          'passes a role',
          { action: 'iam:PassRole', resource: iam(`role/pipelines/x-${env}`) },
          'implicitly denied',
        ],
        [
          'assumes a deploy role',
          { action: 'sts:AssumeRole', resource: iam(`role/terraform-apply-${env}`) },
          'implicitly denied',
        ],
        [
          'deletes a bucket',
          {
            action: 's3:DeleteBucket',
            resource: `arn:aws:s3:::csv-processor-${env}-input-${SAMPLE_ACCOUNT}`,
          },
          'implicitly denied',
        ],
        [
          'registers its bastion with SSM',
          {
            action: 'ssm:UpdateInstanceInformation',
            resource: regional('ec2', 'instance/i-0123'),
            context: existing(env),
          },
          'allowed',
        ],
        [
          "registers the other environment's bastion",
          {
            action: 'ssm:UpdateInstanceInformation',
            resource: regional('ec2', 'instance/i-0123'),
            context: existing(o),
          },
          'explicitly denied',
        ],
        [
          'opens a Session Manager data channel',
          { action: 'ssmmessages:OpenDataChannel', resource: '*' },
          'allowed',
        ],
        [
          'starts a session on another instance',
          {
            action: 'ssm:StartSession',
            resource: regional('ec2', 'instance/i-0123'),
            context: existing(env),
          },
          'implicitly denied',
        ],
      ];
    };
    describe.each(ENVIRONMENTS)('caps a %s role granted everything', (env) => {
      it.each(workloadScenarios(env))('%s: %j → %s', (_what, req, expected) => {
        expect(evaluateWithBoundary(everything, boundary(env), req)).toBe(expected);
      });
    });
  });

  describe("operators' database access (make db-tunnel, psql, the Data API)", () => {
    const operators = (env: string): IamStatement[] =>
      renderPolicyDocument(bootstrap, 'operator_databases', scope(env));
    const instance = regional('ec2', 'instance/i-0123456789abcdef0');
    const ssmDocument = (name: string) => `arn:aws:ssm:ap-northeast-1::document/${name}`;
    const session = (env: string, tagged: string) => ({
      action: 'ssm:StartSession',
      resource: instance,
      context: { 'ssm:resourceTag/Environment': tagged, 'ssm:SessionDocumentAccessCheck': true },
    });
    const masterSecret = regional('secretsmanager', 'secret:rds!db-0123abcd-AbCdEf');
    const operatorScenarios = (env: string): [string, IamRequest, Decision][] => {
      const o = other(env);
      return [
        ['finds the bastion', { action: 'ec2:DescribeInstances', resource: '*' }, 'allowed'],
        [
          'finds its database endpoint',
          { action: 'rds:DescribeDBInstances', resource: regional('rds', `db:batch-scheduler-${env}`) },
          'allowed',
        ],
        [
          "describes the other environment's database",
          { action: 'rds:DescribeDBInstances', resource: regional('rds', `db:batch-scheduler-${o}`) },
          'implicitly denied',
        ],
        ['starts a session on its bastion', session(env, env), 'allowed'],
        ["starts a session on the other environment's bastion", session(env, o), 'implicitly denied'],
        [
          'starts a session on an untagged instance',
          {
            action: 'ssm:StartSession',
            resource: instance,
            context: { 'ssm:SessionDocumentAccessCheck': true },
          },
          'implicitly denied',
        ],
        [
          'uses the port-forwarding document',
          { action: 'ssm:StartSession', resource: ssmDocument('AWS-StartPortForwardingSessionToRemoteHost') },
          'allowed',
        ],
        [
          'opens a shell on the bastion',
          {
            action: 'ssm:StartSession',
            resource: regional('ssm', 'document/SSM-SessionManagerRunShell'),
          },
          'implicitly denied',
        ],
        [
          'runs a command through a session',
          { action: 'ssm:StartSession', resource: ssmDocument('AWS-StartInteractiveCommand') },
          'implicitly denied',
        ],
        [
          'ends its own session',
          {
            action: 'ssm:TerminateSession',
            resource: regional('ssm', 'session/AROAEXAMPLE:alice-0a1b2c3d4e5f'),
            context: { 'aws:userid': 'AROAEXAMPLE:alice' },
          },
          'allowed',
        ],
        [
          "ends someone else's session",
          {
            action: 'ssm:TerminateSession',
            resource: regional('ssm', 'session/AROAEXAMPLE:bob-0a1b2c3d4e5f'),
            context: { 'aws:userid': 'AROAEXAMPLE:alice' },
          },
          'implicitly denied',
        ],
        [
          "reads its database instance's master secret",
          {
            action: 'secretsmanager:GetSecretValue',
            resource: masterSecret,
            context: {
              'secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn': regional(
                'rds',
                `db:etl-source-${env}`,
              ),
            },
          },
          'allowed',
        ],
        [
          "reads its Aurora cluster's master secret",
          {
            action: 'secretsmanager:GetSecretValue',
            resource: masterSecret,
            context: {
              'secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn': regional(
                'rds',
                `cluster:csv-processor-${env}`,
              ),
            },
          },
          'allowed',
        ],
        [
          "reads the other environment's master secret",
          {
            action: 'secretsmanager:GetSecretValue',
            resource: masterSecret,
            context: {
              'secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn': regional(
                'rds',
                `db:batch-scheduler-${o}`,
              ),
            },
          },
          'implicitly denied',
        ],
        [
          "reads a pipeline's API key",
          {
            action: 'secretsmanager:GetSecretValue',
            resource: regional('secretsmanager', `secret:sync-batch-${env}/youtube-api-key-AbCdEf`),
          },
          'implicitly denied',
        ],
        [
          'decrypts its secret through Secrets Manager',
          {
            action: 'kms:Decrypt',
            resource: KEY,
            context: existing(env, { 'kms:ViaService': 'secretsmanager.ap-northeast-1.amazonaws.com' }),
          },
          'allowed',
        ],
        [
          'decrypts with its key directly',
          { action: 'kms:Decrypt', resource: KEY, context: existing(env) },
          'implicitly denied',
        ],
        [
          'runs SQL on its Aurora cluster through the Data API',
          { action: 'rds-data:ExecuteStatement', resource: regional('rds', `cluster:csv-processor-${env}`) },
          'allowed',
        ],
        [
          "runs SQL on the other environment's cluster",
          { action: 'rds-data:ExecuteStatement', resource: regional('rds', `cluster:csv-processor-${o}`) },
          'implicitly denied',
        ],
      ];
    };
    describe.each(ENVIRONMENTS)('the %s operator policy', (env) => {
      it.each(operatorScenarios(env))('%s: %j → %s', (_what, req, expected) => {
        expect(evaluate(operators(env), req)).toBe(expected);
      });

      it('fits a managed policy', () => {
        expect(policyJson(operators(env)).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
      });
    });

    describe.each(ENVIRONMENTS)('the %s runs API operator policy', (env) => {
      const runsOperators = (): IamStatement[] =>
        renderPolicyDocument(bootstrap, 'operator_runs', scope(env));
      const invoke = (stage: string, route: string): IamRequest => ({
        action: 'execute-api:Invoke',
        resource: regional('execute-api', `a1b2c3d4e5/${stage}/${route}`),
      });
      it.each<[string, IamRequest, Decision]>([
        ['lists runs', invoke(env, 'GET/runs'), 'allowed'],
        ['starts a manual run', invoke(env, 'POST/runs/etl'), 'allowed'],
        ["calls the other environment's stage", invoke(other(env), 'GET/runs'), 'implicitly denied'],
        [
          'manages the API',
          { action: 'apigateway:PATCH', resource: 'arn:aws:apigateway:ap-northeast-1::/restapis/a1b2c3d4e5' },
          'implicitly denied',
        ],
        [
          'finds the latest report',
          {
            action: 's3:ListBucket',
            resource: `arn:aws:s3:::runs-reports-${env}-123456789012`,
            context: { 's3:prefix': 'reports/' },
          },
          'allowed',
        ],
        [
          'reads a report page',
          {
            action: 's3:GetObject',
            resource: `arn:aws:s3:::runs-reports-${env}-123456789012/reports/2026-11-30.html`,
          },
          'allowed',
        ],
        [
          "reads the other environment's report",
          {
            action: 's3:GetObject',
            resource: `arn:aws:s3:::runs-reports-${other(env)}-123456789012/reports/2026-11-30.html`,
          },
          'implicitly denied',
        ],
        [
          'decrypts it with its runs key',
          {
            action: 'kms:Decrypt',
            resource: regional('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'),
            context: {
              'aws:ResourceTag/Environment': env,
              'kms:ViaService': 's3.ap-northeast-1.amazonaws.com',
            },
          },
          'allowed',
        ],
        [
          "decrypts with the other environment's key",
          {
            action: 'kms:Decrypt',
            resource: regional('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'),
            context: {
              'aws:ResourceTag/Environment': other(env),
              'kms:ViaService': 's3.ap-northeast-1.amazonaws.com',
            },
          },
          'implicitly denied',
        ],
      ])('%s: %j → %s', (_what, req, expected) => {
        expect(evaluate(runsOperators(), req)).toBe(expected);
      });
    });

    it("is out of every apply role's reach", () => {
      for (const env of ENVIRONMENTS) {
        expect(
          evaluate(apply(env), {
            action: 'iam:CreatePolicyVersion',
            resource: iam(`policy/pipelines-operator-runs-${env}`),
          }),
        ).toBe('explicitly denied');
        const policy = iam(`policy/pipelines-operator-databases-${env}`);
        expect(evaluate(apply(env), { action: 'iam:CreatePolicyVersion', resource: policy })).toBe(
          'explicitly denied',
        );
      }
    });
  });

  describe('module roles carry the workload path and boundary', () => {
    /**
     * Roles the modules create without `path = var.iam_role_path` and
     * `permissions_boundary = var.permissions_boundary_arn` (shared/workload_role.tf).
     * Empty since every role carries them; it may only stay so: a new role without
     * them fails, and so would a listed role that has them.
     */
    const PENDING_BOUNDARY: string[] = [];

    it('no role beyond the pending list lacks them, and the pending list is current', () => {
      expect(rolesWithoutBoundary(deployed).sort()).toEqual([...PENDING_BOUNDARY].sort());
    });

    it('flags a role without a boundary (planted)', async () => {
      const planted = await parseModule({
        'main.tf': `resource "aws_iam_role" "bounded" {
  name                 = "x-dev"
  path                 = var.iam_role_path
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy   = "{}"
}
resource "aws_iam_role" "free" {
  name               = "y-dev"
  assume_role_policy = "{}"
}`,
      });
      expect(rolesWithoutBoundary([planted])).toEqual(['<inline>: aws_iam_role.free']);
    });
  });
});

describe('rendering shared policy documents', () => {
  const docs = `data "aws_iam_policy_document" "shared" {
  for_each = toset(["dev"])
  statement {
    sid       = "Shared"
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
  }
  statement {
    sid       = "Replaced"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::wide-\${each.key}/*"]
  }
}
data "aws_iam_policy_document" "own" {
  for_each                = toset(["dev"])
  source_policy_documents = [data.aws_iam_policy_document.shared[each.key].json]
  statement {
    sid       = "Replaced"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::narrow-\${each.key}/*"]
  }
}`;

  it('puts source_policy_documents first and lets a statement with the same sid replace theirs', async () => {
    const mod = await parseModule({ 'main.tf': docs });
    const rendered = renderPolicyDocument(mod, 'own', { each: { key: 'dev' } });
    expect(rendered.map((x) => [x.sid, x.resources])).toEqual([
      ['Shared', ['*']],
      ['Replaced', ['arn:aws:s3:::narrow-dev/*']],
    ]);
  });

  it('follows a for_each policy to every document of the local map it picks from', async () => {
    const mod = await parseModule({
      'main.tf': `${docs}
locals {
  kinds = {
    shared = { document = data.aws_iam_policy_document.shared }
    own    = { document = data.aws_iam_policy_document.own }
  }
}
resource "aws_iam_role" "apply" {
  for_each = toset(["dev"])
  name     = "apply-\${each.key}"
}
resource "aws_iam_policy" "all" {
  for_each = { for k in keys(local.kinds) : "\${k}-dev" => { kind = k, env = "dev" } }
  policy   = local.kinds[each.value.kind].document[each.value.env].json
}
resource "aws_iam_role_policy_attachment" "all" {
  for_each   = aws_iam_policy.all
  role       = aws_iam_role.apply["dev"].name
  policy_arn = aws_iam_policy.all[each.key].arn
}`,
    });
    const policies = rolePolicies(mod, 'apply', { each: { key: 'dev' } }, {});
    expect(Object.keys(policies.managed).sort()).toEqual(['own', 'shared']);
  });

  it('follows a for_each inline role policy to every document of the local map it picks from', async () => {
    const mod = await parseModule({
      'main.tf': `${docs}
locals {
  inline = {
    one = data.aws_iam_policy_document.shared
    two = data.aws_iam_policy_document.own
  }
}
resource "aws_iam_role" "apply" {
  for_each = toset(["dev"])
  name     = "apply-\${each.key}"
}
resource "aws_iam_role_policy" "apply" {
  for_each = { for name in keys(local.inline) : "\${name}-dev" => { name = name, env = "dev" } }
  name     = each.value.name
  role     = aws_iam_role.apply[each.value.env].id
  policy   = local.inline[each.value.name][each.value.env].json
}`,
    });
    const policies = rolePolicies(mod, 'apply', { each: { key: 'dev' } }, {});
    expect(Object.keys(policies.inline).sort()).toEqual(['own', 'shared']);
    expect(policies.inline['own']?.map((x) => x.sid)).toEqual(['Shared', 'Replaced']);
  });

  it('renders an index that is a reference, reaching into a local map past what it cannot render', async () => {
    const mod = await parseModule({
      'main.tf': `locals {
  kinds = {
    boundary = { prefix = "boundary-", document = data.aws_iam_policy_document.shared }
  }
}`,
    });
    const at = { module: mod, each: { key: 'boundary-dev', value: { kind: 'boundary', env: 'dev' } } };
    expect(render('${local.kinds[each.value.kind].prefix}${each.value.env}', at)).toBe('boundary-dev');
    expect(() => render('${local.kinds[each.value.kind].document}', at)).toThrow(/bind it in refs/);
    expect(() => render('${local.kinds[each.value.missing].prefix}', at)).toThrow(/no "missing"/);
  });

  it('refuses a source document it cannot find in the module', async () => {
    const mod = await parseModule({
      'main.tf': `data "aws_iam_policy_document" "own" {
  source_policy_documents = [var.extra_json]
}`,
    });
    expect(() => renderPolicyDocument(mod, 'own', {})).toThrow(/source_policy_documents must name documents/);
  });
});

describe('the IAM evaluator', () => {
  const allow = (extra: Partial<IamStatement>): IamStatement => ({
    sid: 's',
    effect: 'Allow',
    actions: ['s3:GetObject'],
    resources: ['*'],
    conditions: [],
    ...extra,
  });
  const req: IamRequest = { action: 's3:GetObject', resource: 'arn:aws:s3:::b-dev/k' };

  it('lets an explicit Deny win and denies implicitly without an Allow', () => {
    expect(evaluate([allow({})], req)).toBe('allowed');
    expect(evaluate([allow({}), allow({ effect: 'Deny' })], req)).toBe('explicitly denied');
    expect(evaluate([], req)).toBe('implicitly denied');
  });

  it('matches actions case-insensitively with wildcards, resources case-sensitively', () => {
    expect(evaluate([allow({ actions: ['S3:get*'] })], req)).toBe('allowed');
    expect(evaluate([allow({ actions: ['s3:Put*'] })], req)).toBe('implicitly denied');
    expect(evaluate([allow({ resources: ['arn:aws:s3:::b-?ev/*'] })], req)).toBe('allowed');
    expect(evaluate([allow({ resources: ['arn:aws:s3:::B-dev/*'] })], req)).toBe('implicitly denied');
    expect(evaluate([allow({ actions: undefined, notActions: ['s3:GetObject'] })], req)).toBe(
      'implicitly denied',
    );
    expect(evaluate([allow({ resources: undefined, notResources: ['arn:aws:s3:::other/*'] })], req)).toBe(
      'allowed',
    );
  });

  it('treats a missing key as false for positive operators and true for negated ones', () => {
    const cond = (test: string, values = ['dev']) =>
      allow({ conditions: [{ test, variable: 'aws:ResourceTag/Environment', values }] });
    expect(evaluate([cond('StringEquals')], req)).toBe('implicitly denied');
    expect(evaluate([cond('StringNotEquals')], req)).toBe('allowed');
    expect(evaluate([cond('StringEqualsIfExists')], req)).toBe('allowed');
    expect(evaluate([cond('Null', ['true'])], req)).toBe('allowed');
    expect(evaluate([cond('Null', ['false'])], req)).toBe('implicitly denied');
    const tagged = { ...req, context: { 'aws:resourcetag/Environment': 'dev' } };
    expect(evaluate([cond('StringEquals')], tagged)).toBe('allowed');
    expect(evaluate([cond('StringLike', ['d*'])], tagged)).toBe('allowed');
    expect(evaluate([cond('StringNotEquals', ['dev', 'shared'])], tagged)).toBe('implicitly denied');
  });

  it('evaluates ArnLike, Bool and the set operators', () => {
    const arnLike = allow({
      conditions: [
        { test: 'ArnLike', variable: 'iam:PolicyARN', values: ['arn:aws:iam::1:policy/pipelines/*'] },
      ],
    });
    expect(
      evaluate([arnLike], { ...req, context: { 'iam:PolicyARN': 'arn:aws:iam::1:policy/pipelines/x' } }),
    ).toBe('allowed');
    expect(
      evaluate([arnLike], {
        ...req,
        context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
      }),
    ).toBe('implicitly denied');
    const bool = allow({ conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['true'] }] });
    expect(evaluate([bool], { ...req, context: { 'aws:SecureTransport': true } })).toBe('allowed');
    expect(evaluate([bool], { ...req, context: { 'aws:SecureTransport': false } })).toBe('implicitly denied');
    const anyEnv = allow({
      conditions: [{ test: 'ForAnyValue:StringEquals', variable: 'aws:TagKeys', values: ['Environment'] }],
    });
    const allKnown = allow({
      conditions: [
        { test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: ['Environment', 'Project'] },
      ],
    });
    const keys = (k: string[]) => ({ ...req, context: { 'aws:TagKeys': k } });
    expect(evaluate([anyEnv], keys(['Owner', 'Environment']))).toBe('allowed');
    expect(evaluate([anyEnv], keys(['Owner']))).toBe('implicitly denied');
    expect(evaluate([anyEnv], req)).toBe('implicitly denied');
    expect(evaluate([allKnown], keys(['Environment']))).toBe('allowed');
    expect(evaluate([allKnown], keys(['Environment', 'Owner']))).toBe('implicitly denied');
    expect(evaluate([allKnown], req)).toBe('allowed');
  });

  it('refuses an operator it does not implement', () => {
    const numeric = allow({ conditions: [{ test: 'NumericLessThan', variable: 'x', values: ['1'] }] });
    expect(() => evaluate([numeric], { ...req, context: { x: '0' } })).toThrow(
      'unsupported condition operator',
    );
  });

  it('caps a role by its boundary', () => {
    expect(evaluateWithBoundary([allow({ actions: ['*'] })], [allow({})], req)).toBe('allowed');
    expect(
      evaluateWithBoundary([allow({ actions: ['*'] })], [allow({})], { ...req, action: 's3:PutObject' }),
    ).toBe('implicitly denied');
  });
});
