/**
 * Security and convention rules over parsed HCL (see hcl.ts). Each rule takes one
 * module and returns its violations; policy.test.ts runs every rule over the real
 * tree and over a planted bad case.
 */
import { allStrings, nestedBlocks, references, stringList, type Block, type TfModule } from './hcl';

export interface Violation {
  module: string;
  address: string;
  message: string;
}

export type Rule = (mod: TfModule) => Violation[];

const v = (mod: TfModule, address: string, message: string): Violation => ({
  module: mod.dir,
  address,
  message,
});

function resourcesOf(mod: TfModule, type: string): Block[] {
  return mod.resources.filter((r) => r.type === type);
}

/** Resources of `type` whose `attr` references `aws_s3_bucket.<name>` (or the given target). */
function attachedTo(
  mod: TfModule,
  type: string,
  attr: string,
  targetType: string,
  targetName: string,
): Block[] {
  return resourcesOf(mod, type).filter((r) =>
    allStrings(r.body[attr]).some((s) => references(s, targetType, targetName)),
  );
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** The policy text of a `policy` attribute: inline (jsonencode/heredoc) or the referenced policy documents. */
function policyText(mod: TfModule, expr: string): string {
  const docs = mod.dataSources.filter(
    (d) => d.type === 'aws_iam_policy_document' && references(expr, 'data.aws_iam_policy_document', d.name),
  );
  return [expr, ...docs.map((d) => JSON.stringify(d.body))].join('\n');
}

// ---------------------------------------------------------------------------
// S3
// ---------------------------------------------------------------------------

/** Every bucket: default encryption, all four public-access blocks, TLS-only policy, ownership controls. */
export const s3BucketsAreSecure: Rule = (mod) => {
  const out: Violation[] = [];
  for (const bucket of resourcesOf(mod, 'aws_s3_bucket')) {
    const addr = bucket.address;
    const sse = attachedTo(
      mod,
      'aws_s3_bucket_server_side_encryption_configuration',
      'bucket',
      'aws_s3_bucket',
      bucket.name,
    );
    const hasAlgorithm = sse.some((s) =>
      nestedBlocks(s.body, 'rule').some((rule) =>
        nestedBlocks(rule, 'apply_server_side_encryption_by_default').some(
          (d) => typeof d['sse_algorithm'] === 'string',
        ),
      ),
    );
    if (!hasAlgorithm)
      out.push(v(mod, addr, 'no aws_s3_bucket_server_side_encryption_configuration with an sse_algorithm'));

    const pab = attachedTo(mod, 'aws_s3_bucket_public_access_block', 'bucket', 'aws_s3_bucket', bucket.name);
    const flags = [
      'block_public_acls',
      'block_public_policy',
      'ignore_public_acls',
      'restrict_public_buckets',
    ];
    if (!pab.some((p) => flags.every((f) => isTrue(p.body[f])))) {
      out.push(v(mod, addr, `no aws_s3_bucket_public_access_block with ${flags.join(', ')} = true`));
    }

    const policies = attachedTo(mod, 'aws_s3_bucket_policy', 'bucket', 'aws_s3_bucket', bucket.name);
    if (
      !policies.some((p) =>
        allStrings(p.body['policy']).some((s) => policyText(mod, s).includes('aws:SecureTransport')),
      )
    ) {
      out.push(v(mod, addr, 'no aws_s3_bucket_policy denying requests without aws:SecureTransport'));
    }

    const ownership = attachedTo(
      mod,
      'aws_s3_bucket_ownership_controls',
      'bucket',
      'aws_s3_bucket',
      bucket.name,
    );
    if (
      !ownership.some((o) =>
        nestedBlocks(o.body, 'rule').some((r) => r['object_ownership'] === 'BucketOwnerEnforced'),
      )
    ) {
      out.push(
        v(mod, addr, 'no aws_s3_bucket_ownership_controls with object_ownership = "BucketOwnerEnforced"'),
      );
    }
  }
  return out;
};

/** Lifecycle rules need an explicit `filter {}` (an empty filter means the whole bucket). */
export const lifecycleRulesHaveFilter: Rule = (mod) =>
  resourcesOf(mod, 'aws_s3_bucket_lifecycle_configuration').flatMap((lc) =>
    nestedBlocks(lc.body, 'rule')
      .filter((rule) => rule['filter'] === undefined)
      .map((rule) =>
        v(mod, lc.address, `lifecycle rule ${String(rule['id'] ?? '?')} has no filter {} block`),
      ),
  );

// ---------------------------------------------------------------------------
// Queues and topics
// ---------------------------------------------------------------------------

export const queuesAndTopicsAreEncrypted: Rule = (mod) => {
  const out: Violation[] = [];
  for (const q of resourcesOf(mod, 'aws_sqs_queue')) {
    const kms = q.body['kms_master_key_id'];
    const sse = q.body['sqs_managed_sse_enabled'];
    const encrypted =
      (typeof kms === 'string' && kms.length > 0) || (sse !== undefined && sse !== false && sse !== 'false');
    if (!encrypted)
      out.push(v(mod, q.address, 'SQS queue without kms_master_key_id or sqs_managed_sse_enabled = true'));
  }
  for (const t of resourcesOf(mod, 'aws_sns_topic')) {
    const kms = t.body['kms_master_key_id'];
    if (!(typeof kms === 'string' && kms.length > 0))
      out.push(v(mod, t.address, 'SNS topic without kms_master_key_id'));
  }
  return out;
};

// ---------------------------------------------------------------------------
// IAM
// ---------------------------------------------------------------------------

/**
 * Actions with no resource-level permissions, for which AWS accepts only "*" as resource.
 * A statement with resources ["*"] must use only these (or be a Deny, or a key policy).
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'cloudwatch:PutMetricData',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'sts:GetCallerIdentity',
  'kms:CreateKey',
]);

interface Statement {
  address: string;
  effect: string;
  actions: string[];
  resources: string[];
  keyPolicy: boolean;
}

/** Statements of aws_iam_policy_document data sources and of inline jsonencode policies. */
export function iamStatements(mod: TfModule): Statement[] {
  const out: Statement[] = [];
  for (const doc of mod.dataSources.filter((d) => d.type === 'aws_iam_policy_document')) {
    // By convention a document named *key_policy* is a KMS key policy, where "*" means "this key".
    const keyPolicy = /key_policy/.test(doc.name);
    nestedBlocks(doc.body, 'statement').forEach((s, i) => {
      out.push({
        address: `${doc.address}.statement[${typeof s['sid'] === 'string' ? s['sid'] : i}]`,
        effect: typeof s['effect'] === 'string' ? s['effect'] : 'Allow',
        actions: [...stringList(s['actions']), ...stringList(s['not_actions'])],
        resources: stringList(s['resources']),
        keyPolicy,
      });
    });
  }
  // Inline policies: jsonencode({ Statement = [{ Action = ..., Resource = ... }] }) or JSON heredocs.
  const blocks = [...mod.resources, ...mod.dataSources, ...mod.moduleCalls];
  for (const b of blocks) {
    for (const text of allStrings(b.body)) {
      if (!/"?(Not)?Action"?\s*[=:]/.test(text)) continue;
      const stmtRe = /\{[^{}]*"?(?:Not)?Action"?\s*[=:][^{}]*\}/g;
      for (const m of text.matchAll(stmtRe)) {
        const stmt = m[0];
        const list = (key: string): string[] => {
          const mm = new RegExp(`"?${key}"?\\s*[=:]\\s*(\\[[^\\]]*\\]|"[^"]*")`).exec(stmt);
          return mm?.[1] ? [...mm[1].matchAll(/"([^"]*)"/g)].map((x) => x[1] ?? '') : [];
        };
        const effect = /"?Effect"?\s*[=:]\s*"(\w+)"/.exec(stmt)?.[1] ?? 'Allow';
        out.push({
          address: `${b.address} (inline policy)`,
          effect,
          actions: [...list('Action'), ...list('NotAction')],
          resources: [...list('Resource'), ...list('NotResource')],
          keyPolicy: b.type === 'aws_kms_key',
        });
      }
    }
  }
  return out;
}

/**
 * No `*` in any allowed action: not "*", not "s3:*", not "s3:Get*". Name every action.
 * A Deny may use a wildcard: it narrows access (e.g. "s3:*" without TLS), never widens it.
 */
export const iamActionsAreNamed: Rule = (mod) =>
  iamStatements(mod)
    .filter((s) => s.effect === 'Allow' && s.actions.some((a) => a.includes('*')))
    .map((s) => v(mod, s.address, `wildcard action ${s.actions.filter((a) => a.includes('*')).join(', ')}`));

/** `"*"` resources only for actions that support nothing narrower (or in Deny / KMS key policies). */
export const iamStarResourcesAreJustified: Rule = (mod) =>
  iamStatements(mod)
    .filter((s) => s.effect === 'Allow' && !s.keyPolicy && s.resources.includes('*'))
    .filter((s) => s.actions.some((a) => !ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.has(a)))
    .map((s) =>
      v(
        mod,
        s.address,
        `resources = ["*"] for ${s.actions.filter((a) => !ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.has(a)).join(', ')}, which accept narrower resources`,
      ),
    );

// ---------------------------------------------------------------------------
// Lambda
// ---------------------------------------------------------------------------

/** Every function: nodejs24.x on arm64, a Terraform-managed log group with retention, a DLQ. */
export const lambdaFunctionsAreOperable: Rule = (mod) => {
  const out: Violation[] = [];
  for (const fn of resourcesOf(mod, 'aws_lambda_function')) {
    const addr = fn.address;
    if (fn.body['runtime'] !== 'nodejs24.x')
      out.push(v(mod, addr, `runtime must be "nodejs24.x" (got ${JSON.stringify(fn.body['runtime'])})`));
    if (!stringList(fn.body['architectures']).includes('arm64'))
      out.push(v(mod, addr, 'architectures must be ["arm64"]'));

    const logging = nestedBlocks(fn.body, 'logging_config');
    const logGroupExpr = logging.map((l) => l['log_group']).find((x): x is string => typeof x === 'string');
    const logGroup = logGroupExpr
      ? resourcesOf(mod, 'aws_cloudwatch_log_group').find((g) =>
          references(logGroupExpr, 'aws_cloudwatch_log_group', g.name),
        )
      : undefined;
    if (!logGroup) {
      out.push(
        v(
          mod,
          addr,
          'no log group: logging_config.log_group must reference an aws_cloudwatch_log_group of this module',
        ),
      );
    } else if (logGroup.body['retention_in_days'] === undefined) {
      out.push(v(mod, logGroup.address, 'log group without retention_in_days'));
    }
    if (!logging.some((l) => l['log_format'] === 'JSON'))
      out.push(v(mod, addr, 'logging_config.log_format must be "JSON"'));

    const dlqBlock = nestedBlocks(fn.body, 'dead_letter_config').some(
      (d) => typeof d['target_arn'] === 'string',
    );
    const onFailure = resourcesOf(mod, 'aws_lambda_function_event_invoke_config').some(
      (c) =>
        allStrings(c.body['function_name']).some((s) => references(s, 'aws_lambda_function', fn.name)) &&
        nestedBlocks(c.body, 'destination_config').some((d) =>
          nestedBlocks(d, 'on_failure').some((f) => typeof f['destination'] === 'string'),
        ),
    );
    if (!dlqBlock && !onFailure) {
      out.push(
        v(
          mod,
          addr,
          'no DLQ: needs dead_letter_config or an aws_lambda_function_event_invoke_config with destination_config.on_failure',
        ),
      );
    }
  }
  return out;
};

// ---------------------------------------------------------------------------
// Scheduler and Step Functions
// ---------------------------------------------------------------------------

/** EventBridge Scheduler retries 185 times over 24 h by default: every target sets retry_policy. */
export const schedulesSetRetryPolicy: Rule = (mod) =>
  resourcesOf(mod, 'aws_scheduler_schedule').flatMap((s) =>
    nestedBlocks(s.body, 'target')
      .filter((t) => nestedBlocks(t, 'retry_policy').length === 0)
      .map(() => v(mod, s.address, 'target without retry_policy (the default retries 185 times over 24 h)')),
  );

/** Step Functions log groups must be named /aws/vendedlogs/states/... */
export const stateMachineLogGroupsUseVendedPrefix: Rule = (mod) => {
  const out: Violation[] = [];
  for (const sm of resourcesOf(mod, 'aws_sfn_state_machine')) {
    for (const lc of nestedBlocks(sm.body, 'logging_configuration')) {
      const dest = typeof lc['log_destination'] === 'string' ? lc['log_destination'] : '';
      for (const g of resourcesOf(mod, 'aws_cloudwatch_log_group').filter((g) =>
        references(dest, 'aws_cloudwatch_log_group', g.name),
      )) {
        const name = typeof g.body['name'] === 'string' ? g.body['name'] : '';
        if (!name.startsWith('/aws/vendedlogs/states/')) {
          out.push(
            v(mod, g.address, `state machine log group "${name}" must start with /aws/vendedlogs/states/`),
          );
        }
      }
    }
  }
  return out;
};

// ---------------------------------------------------------------------------
// Variables and outputs
// ---------------------------------------------------------------------------

export const variablesAreTypedAndDescribed: Rule = (mod) =>
  mod.variables.flatMap((x) => {
    const out: Violation[] = [];
    const d = x.body['description'];
    if (typeof d !== 'string' || d.trim() === '')
      out.push(v(mod, x.address, 'variable without a description'));
    if (x.body['type'] === undefined) out.push(v(mod, x.address, 'variable without a type'));
    return out;
  });

export const outputsAreDescribed: Rule = (mod) =>
  mod.outputs
    .filter(
      (o) => typeof o.body['description'] !== 'string' || (o.body['description'] as string).trim() === '',
    )
    .map((o) => v(mod, o.address, 'output without a description'));

export const RULES: Record<string, Rule> = {
  s3BucketsAreSecure,
  lifecycleRulesHaveFilter,
  queuesAndTopicsAreEncrypted,
  iamActionsAreNamed,
  iamStarResourcesAreJustified,
  lambdaFunctionsAreOperable,
  schedulesSetRetryPolicy,
  stateMachineLogGroupsUseVendedPrefix,
  variablesAreTypedAndDescribed,
  outputsAreDescribed,
};
