/**
 * Policy tests over the Terraform HCL. Every rule runs over the real tree
 * (infrastructure/terraform, modules and environments) and over a planted bad case
 * that proves the rule fails when broken.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAllModules, loadModule, parseModule, terraformRoot, type TfModule } from './hcl';
import { RULES, type Rule } from './rules';

let modules: TfModule[] = [];

beforeAll(async () => {
  modules = await loadAllModules();
});

const run = (rule: Rule, mods: TfModule[]) => mods.flatMap((m) => rule(m));
const format = (vs: ReturnType<Rule>) => vs.map((x) => `${x.module}: ${x.address}: ${x.message}`);

/** A bucket with every control; planted cases remove one at a time. */
const SECURE_BUCKET = {
  bucket: `resource "aws_s3_bucket" "data" {
  bucket = "data-\${var.environment}"
}`,
  sse: `resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}`,
  pab: `resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}`,
  policy: `data "aws_iam_policy_document" "tls" {
  statement {
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["\${aws_s3_bucket.data.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.tls.json
}`,
  ownership: `resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}`,
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

  it('fail without default encryption (planted)', async () => {
    expect(format(RULES.s3BucketsAreSecure!(await bucketModule('sse')))).toEqual([
      expect.stringContaining('aws_s3_bucket.data: no aws_s3_bucket_server_side_encryption_configuration'),
    ]);
  });

  it('fail without a public access block (planted)', async () => {
    expect(format(RULES.s3BucketsAreSecure!(await bucketModule('pab')))).toEqual([
      expect.stringContaining('no aws_s3_bucket_public_access_block'),
    ]);
  });

  it('fail with a public access block that leaves one flag off (planted)', async () => {
    const partial = SECURE_BUCKET.pab.replace(
      'restrict_public_buckets = true',
      'restrict_public_buckets = false',
    );
    expect(format(RULES.s3BucketsAreSecure!(await bucketModule(undefined, { pab: partial })))).toEqual([
      expect.stringContaining('no aws_s3_bucket_public_access_block'),
    ]);
  });

  it('fail when the encryption configuration is attached to another bucket (planted)', async () => {
    const other = SECURE_BUCKET.sse.replace('aws_s3_bucket.data.id', 'aws_s3_bucket.logs.id');
    expect(format(RULES.s3BucketsAreSecure!(await bucketModule(undefined, { sse: other })))).toHaveLength(1);
  });

  it('fail without a TLS-only bucket policy (planted)', async () => {
    expect(format(RULES.s3BucketsAreSecure!(await bucketModule('policy')))).toEqual([
      expect.stringContaining('aws:SecureTransport'),
    ]);
  });

  it('fail without ownership controls (planted)', async () => {
    expect(format(RULES.s3BucketsAreSecure!(await bucketModule('ownership')))).toEqual([
      expect.stringContaining('aws_s3_bucket_ownership_controls'),
    ]);
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
  buckets = { data = aws_s3_bucket.data }
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
      expect.stringContaining('aws_s3_bucket.data: no aws_s3_bucket_public_access_block'),
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
