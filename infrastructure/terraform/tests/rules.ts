/**
 * Security and convention rules over parsed HCL (see hcl.ts). Each rule takes one
 * module and returns its violations; policy.test.ts runs every rule over the real
 * tree and over a planted bad case.
 *
 * Below the rules: a small IAM policy evaluator, the rendering of a module's policy
 * documents and role policies, and RESOURCE_NEEDS (aws_* resource type → the requests
 * Terraform makes for it), with which policy.test.ts evaluates the bootstrap's deploy
 * roles and workload boundary.
 */
import {
  allStrings,
  nestedBlocks,
  references,
  render,
  stringList,
  type Block,
  type HclObject,
  type HclValue,
  type RenderScope,
  type TfModule,
} from './hcl';

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
  'lambda:CreateEventSourceMapping',
  'ec2:DescribeInstances',
  // Session Manager's channels (the bastion's SSM agent).
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
]);

interface Statement {
  address: string;
  effect: string;
  actions: string[];
  resources: string[];
  keyPolicy: boolean;
}

/**
 * The actions of a statement: a list, or a whole `local.<name>` holding one (a list
 * shared between modules, e.g. shared/session_manager.tf), read from the module.
 */
function statementActions(mod: TfModule, value: HclValue | undefined): string[] {
  if (typeof value === 'string' && /^\$\{local\.[\w-]+\}$/.test(value)) {
    const list = render(value, { module: mod });
    if (!Array.isArray(list)) throw new Error(`${mod.dir}: ${value} is not a list of actions`);
    return stringList(list);
  }
  return stringList(value);
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
        actions: [...statementActions(mod, s['actions']), ...statementActions(mod, s['not_actions'])],
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

// ---------------------------------------------------------------------------
// A small IAM policy evaluator, enough for the bootstrap's documents: Allow/Deny,
// Action/NotAction and Resource/NotResource with * and ? wildcards, and the
// condition operators the documents use. An operator it does not know throws, so
// a document cannot pass a check the evaluator did not really make.
// ---------------------------------------------------------------------------

export interface IamCondition {
  test: string;
  variable: string;
  values: string[];
}

export interface IamStatement {
  sid: string;
  effect: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  conditions: IamCondition[];
}

export type ContextValue = string | string[] | boolean;

export interface IamRequest {
  action: string;
  resource: string;
  /** Request context keys (aws:RequestTag/Environment, iam:PassedToService, ...). */
  context?: Record<string, ContextValue>;
}

export type Decision = 'allowed' | 'explicitly denied' | 'implicitly denied';

function glob(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

/** Action names are case-insensitive; resources are not. */
export const actionMatches = (pattern: string, action: string): boolean => glob(pattern, true).test(action);
const resourceMatches = (pattern: string, resource: string): boolean => glob(pattern, false).test(resource);

const BASE_OPERATORS: Record<string, { negated: boolean; match: (ctx: string, policy: string) => boolean }> =
  {
    StringEquals: { negated: false, match: (c, p) => c === p },
    StringNotEquals: { negated: true, match: (c, p) => c === p },
    StringEqualsIgnoreCase: { negated: false, match: (c, p) => c.toLowerCase() === p.toLowerCase() },
    StringNotEqualsIgnoreCase: { negated: true, match: (c, p) => c.toLowerCase() === p.toLowerCase() },
    StringLike: { negated: false, match: (c, p) => resourceMatches(p, c) },
    StringNotLike: { negated: true, match: (c, p) => resourceMatches(p, c) },
    ArnEquals: { negated: false, match: (c, p) => c === p },
    ArnNotEquals: { negated: true, match: (c, p) => c === p },
    ArnLike: { negated: false, match: (c, p) => resourceMatches(p, c) },
    ArnNotLike: { negated: true, match: (c, p) => resourceMatches(p, c) },
    Bool: { negated: false, match: (c, p) => c.toLowerCase() === p.toLowerCase() },
  };

function contextValue(ctx: Record<string, ContextValue>, key: string): string[] | undefined {
  // Condition key names are case-insensitive.
  const found = Object.entries(ctx).find(([k]) => k.toLowerCase() === key.toLowerCase());
  if (!found) return undefined;
  const v = found[1];
  return Array.isArray(v) ? v : [String(v)];
}

export function conditionHolds(cond: IamCondition, ctx: Record<string, ContextValue>): boolean {
  const values = contextValue(ctx, cond.variable);
  const m = /^(?:(ForAllValues|ForAnyValue):)?(\w+?)(IfExists)?$/.exec(cond.test);
  if (!m) throw new Error(`unsupported condition operator ${cond.test}`);
  const [, set, base = '', ifExists] = m;
  if (base === 'Null') {
    if (set || ifExists) throw new Error(`unsupported condition operator ${cond.test}`);
    const absent = values === undefined || values.length === 0;
    return cond.values.some((v) => (v === 'true') === absent);
  }
  const op = BASE_OPERATORS[base];
  if (!op) throw new Error(`unsupported condition operator ${cond.test}`);
  if (values === undefined || values.length === 0) {
    if (set === 'ForAllValues') return true;
    if (set === 'ForAnyValue') return false;
    // A missing key fails a positive operator and satisfies a negated one.
    return Boolean(ifExists) || op.negated;
  }
  const satisfied = (c: string): boolean => {
    const any = cond.values.some((p) => op.match(c, p));
    return op.negated ? !any : any;
  };
  if (set === 'ForAllValues') return values.every(satisfied);
  if (set === 'ForAnyValue') return values.some(satisfied);
  return op.negated ? values.every(satisfied) : values.some(satisfied);
}

/** A resource pattern with its policy variables (`${aws:userid}`) taken from the request; a missing key matches nothing. */
const withPolicyVariables = (pattern: string, ctx: Record<string, ContextValue>): string =>
  pattern.replace(/\$\{([\w:/-]+)\}/g, (_, key: string) => contextValue(ctx, key)?.[0] ?? '\u0000');

export function statementMatches(s: IamStatement, req: IamRequest): boolean {
  const actionOk = s.actions
    ? s.actions.some((a) => actionMatches(a, req.action))
    : !(s.notActions ?? []).some((a) => actionMatches(a, req.action));
  if (!actionOk) return false;
  const ctx = req.context ?? {};
  const matches = (r: string) => resourceMatches(withPolicyVariables(r, ctx), req.resource);
  const resourceOk = s.resources ? s.resources.some(matches) : !(s.notResources ?? []).some(matches);
  if (!resourceOk) return false;
  return s.conditions.every((c) => conditionHolds(c, req.context ?? {}));
}

/** Identity-policy evaluation: an explicit Deny wins, then any Allow, else implicitly denied. */
export function evaluate(statements: IamStatement[], req: IamRequest): Decision {
  if (statements.some((s) => s.effect === 'Deny' && statementMatches(s, req))) return 'explicitly denied';
  return statements.some((s) => s.effect === 'Allow' && statementMatches(s, req))
    ? 'allowed'
    : 'implicitly denied';
}

/** A role with a permissions boundary: allowed only where both its policies and the boundary allow. */
export function evaluateWithBoundary(
  identity: IamStatement[],
  boundary: IamStatement[],
  req: IamRequest,
): Decision {
  const a = evaluate(identity, req);
  const b = evaluate(boundary, req);
  if (a === 'explicitly denied' || b === 'explicitly denied') return 'explicitly denied';
  return a === 'allowed' && b === 'allowed' ? 'allowed' : 'implicitly denied';
}

/**
 * AWS's ReadOnlyAccess, modelled as a superset of what it grants: every Get, List,
 * Describe, and the data reads it includes. The data-read denies are checked against
 * this superset, so they hold whatever AWS adds to the managed policy.
 */
export const READ_ONLY_ACCESS_MODEL: IamStatement[] = [
  {
    sid: 'ReadOnlyAccess (model)',
    effect: 'Allow',
    actions: [
      '*:Get*',
      '*:List*',
      '*:Describe*',
      '*:BatchGet*',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:PartiQLSelect',
      'logs:FilterLogEvents',
      'logs:StartQuery',
      'logs:StartLiveTail',
      'sqs:ReceiveMessage',
    ],
    resources: ['*'],
    conditions: [],
  },
];

// ---------------------------------------------------------------------------
// Policy documents of a Terraform module, rendered for one for_each key.
// ---------------------------------------------------------------------------

const str = (v: HclValue | undefined): string[] => {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x) => str(x));
  if (typeof v === 'string') return [v];
  throw new Error(`expected strings, got ${JSON.stringify(v)}`);
};

/** The statements of `data.aws_iam_policy_document.<name>`, rendered in `scope`. */
export function renderPolicyDocument(
  mod: TfModule,
  name: string,
  scope: Omit<RenderScope, 'module'>,
): IamStatement[] {
  const doc = mod.dataSources.find((d) => d.type === 'aws_iam_policy_document' && d.name === name);
  if (!doc) throw new Error(`${mod.dir}: no data.aws_iam_policy_document.${name}`);
  const full: RenderScope = { module: mod, ...scope };
  if (doc.body['dynamic'] !== undefined)
    throw new Error(`${doc.address}: dynamic statements cannot be rendered`);
  // source_policy_documents come first; a statement of this document with the same sid replaces one of theirs.
  const sources = stringList(doc.body['source_policy_documents']).flatMap((expr) => {
    const source = documentName(expr);
    if (!source) throw new Error(`${doc.address}: source_policy_documents must name documents of the module`);
    return renderPolicyDocument(mod, source, scope);
  });
  const own = nestedBlocks(doc.body, 'statement').map((s, i): IamStatement => {
    const list = (key: string): string[] | undefined =>
      s[key] === undefined ? undefined : str(render(s[key] as HclValue, full));
    const effect = s['effect'] === undefined ? 'Allow' : String(render(s['effect'] as HclValue, full));
    if (effect !== 'Allow' && effect !== 'Deny') throw new Error(`${doc.address}: effect ${effect}`);
    return {
      sid: typeof s['sid'] === 'string' ? s['sid'] : `${name}[${i}]`,
      effect,
      actions: list('actions'),
      notActions: list('not_actions'),
      resources: list('resources'),
      notResources: list('not_resources'),
      conditions: nestedBlocks(s, 'condition').map((c: HclObject) => ({
        test: String(render(c['test'] as HclValue, full)),
        variable: String(render(c['variable'] as HclValue, full)),
        values: str(render(c['values'] as HclValue, full)),
      })),
    };
  });
  const replaced = new Set(own.map((s) => s.sid));
  return [...sources.filter((s) => !replaced.has(s.sid)), ...own];
}

/** The policy document a `policy = data.aws_iam_policy_document.<name>[...].json` expression names. */
function documentName(expr: HclValue | undefined): string | undefined {
  return typeof expr === 'string' ? /data\.aws_iam_policy_document\.([\w-]+)/.exec(expr)?.[1] : undefined;
}

/**
 * The documents behind a `policy` (aws_iam_policy, aws_iam_role_policy): the one it names, or,
 * for a policy with for_each that picks its document from a local map
 * (`local.<map>[each.value.kind]…`), every document of that map.
 */
function documentNames(mod: TfModule, expr: HclValue | undefined): string[] {
  const direct = documentName(expr);
  if (direct) return [direct];
  const local = typeof expr === 'string' ? /^\$\{local\.([\w-]+)\[/.exec(expr)?.[1] : undefined;
  if (!local) return [];
  const value = Object.values(mod.files)
    .flatMap((f) => (Array.isArray(f['locals']) ? f['locals'] : [f['locals']]))
    .map((block) => (block && typeof block === 'object' && !Array.isArray(block) ? block[local] : undefined))
    .find((v) => v !== undefined);
  return [...new Set(allStrings(value).flatMap((x) => documentName(x) ?? []))];
}

export interface RolePolicies {
  /** Inline policies (aws_iam_role_policy), by document name. */
  inline: Record<string, IamStatement[]>;
  /** Managed policies (aws_iam_role_policy_attachment), by document name or AWS policy name. */
  managed: Record<string, IamStatement[]>;
}

/**
 * Every policy of `aws_iam_role.<role>` in a module: its inline policies and the
 * managed policies attached to it, followed through aws_iam_policy to their documents.
 * AWS managed policies resolve through `awsManaged` (by name) or throw.
 */
export function rolePolicies(
  mod: TfModule,
  role: string,
  scope: Omit<RenderScope, 'module'>,
  awsManaged: Record<string, IamStatement[]>,
): RolePolicies {
  const forRole = (b: Block) => allStrings(b.body['role']).some((s) => references(s, 'aws_iam_role', role));
  const out: RolePolicies = { inline: {}, managed: {} };
  for (const p of mod.resources.filter((r) => r.type === 'aws_iam_role_policy' && forRole(r))) {
    const docs = documentNames(mod, p.body['policy']);
    if (docs.length === 0) throw new Error(`${p.address}: policy is not an aws_iam_policy_document`);
    for (const doc of docs) out.inline[doc] = renderPolicyDocument(mod, doc, scope);
  }
  for (const a of mod.resources.filter((r) => r.type === 'aws_iam_role_policy_attachment' && forRole(r))) {
    const arn = typeof a.body['policy_arn'] === 'string' ? a.body['policy_arn'] : '';
    const awsName = /:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
    if (awsName) {
      const model = awsManaged[awsName];
      if (!model) throw new Error(`${a.address}: no model of the AWS managed policy ${awsName}`);
      out.managed[awsName] = model;
      continue;
    }
    const policy = mod.resources.find(
      (r) => r.type === 'aws_iam_policy' && references(arn, 'aws_iam_policy', r.name),
    );
    const docs = policy ? documentNames(mod, policy.body['policy']) : [];
    if (docs.length === 0)
      throw new Error(
        `${a.address}: policy_arn is neither an AWS managed policy nor an aws_iam_policy of the module`,
      );
    for (const doc of docs) out.managed[doc] = renderPolicyDocument(mod, doc, scope);
  }
  return out;
}

export const allStatements = (p: RolePolicies): IamStatement[] => [
  ...Object.values(p.inline).flat(),
  ...Object.values(p.managed).flat(),
];

/** The document as AWS stores it, without whitespace: what its size quotas count. */
export function policyJson(statements: IamStatement[]): string {
  const one = (xs: string[]) => (xs.length === 1 ? xs[0] : xs);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => {
      const conditions: Record<string, Record<string, string | string[]>> = {};
      for (const c of s.conditions) {
        conditions[c.test] = { ...conditions[c.test], [c.variable]: one(c.values) as string | string[] };
      }
      return {
        Sid: s.sid,
        Effect: s.effect,
        ...(s.actions ? { Action: one(s.actions) } : {}),
        ...(s.notActions ? { NotAction: one(s.notActions) } : {}),
        ...(s.resources ? { Resource: one(s.resources) } : {}),
        ...(s.notResources ? { NotResource: one(s.notResources) } : {}),
        ...(s.conditions.length ? { Condition: conditions } : {}),
      };
    }),
  });
}

/** IAM quotas: a managed policy holds 6,144 characters; a role's inline policies 10,240 together. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
export const ROLE_INLINE_POLICIES_MAX_CHARS = 10240;

// ---------------------------------------------------------------------------
// What the apply role needs: for each aws_* resource type the modules use, the
// actions Terraform calls to create, update and delete it, each against a sample
// resource of one environment with the request context AWS evaluates. A module
// using a type missing here fails the test, so a new kind of resource forces a
// look at its permissions.
// ---------------------------------------------------------------------------

export const SAMPLE_ACCOUNT = '123456789012';
export const SAMPLE_REGION = 'ap-northeast-1';
export const WORKLOAD_PATH = '/pipelines/';
export const boundaryArn = (env: string): string =>
  `arn:aws:iam::${SAMPLE_ACCOUNT}:policy/pipelines-workload-boundary-${env}`;

const arnOf = (service: string, rest: string): string =>
  service === 'iam' || service === 's3'
    ? `arn:aws:${service}::${service === 'iam' ? SAMPLE_ACCOUNT : ''}:${rest}`
    : `arn:aws:${service}:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:${rest}`;

type Context = Record<string, ContextValue>;

/** The tags the environments' provider default_tags put on every resource. */
const defaultTags = (env: string): Record<string, string> => ({
  Environment: env,
  Project: 'aws-data-pipelines',
  ManagedBy: 'terraform',
  Pipeline: 'sample',
});
const prefixed = (prefix: string, tags: Record<string, string>): Context =>
  Object.fromEntries(Object.entries(tags).map(([k, v]) => [`${prefix}/${k}`, v]));

/** A create: the default tags travel as request tags. */
export const created = (env: string, extra: Context = {}): Context => ({
  ...prefixed('aws:RequestTag', defaultTags(env)),
  'aws:TagKeys': Object.keys(defaultTags(env)),
  ...extra,
});
/** A change or delete of a resource that carries the default tags. */
export const existing = (env: string, extra: Context = {}): Context => ({
  ...prefixed('aws:ResourceTag', defaultTags(env)),
  ...extra,
});
/** A tag change on an existing resource (a new Pipeline tag value). */
const retagged = (env: string, extra: Context = {}): Context => ({
  ...existing(env),
  'aws:RequestTag/Pipeline': 'renamed',
  'aws:TagKeys': ['Pipeline'],
  ...extra,
});
/** Removal of a tag other than Environment. */
const untagged = (env: string, extra: Context = {}): Context => ({
  ...existing(env),
  'aws:TagKeys': ['Owner'],
  ...extra,
});

export interface Need {
  actions: string[];
  /** The resource the request names, in environment `env`. */
  resource: (env: string) => string;
  context: (env: string) => Context;
  /**
   * Why the request cannot be confined to one environment; set, the check that
   * another environment's apply role is refused skips this need.
   */
  shared?: string;
}

const role = (env: string) => arnOf('iam', `role${WORKLOAD_PATH}x-${env}`);
const fn = (env: string) => arnOf('lambda', `function:x-${env}`);
const key = () => arnOf('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab');
const ec2 = (type: string) => () =>
  arnOf('ec2', `${type}/${type.replace(/[^a-z]/g, '').slice(0, 3)}-0123456789abcdef0`);
const withBoundary = (ctx: (env: string, extra?: Context) => Context) => (env: string) =>
  ctx(env, { 'iam:PermissionsBoundary': boundaryArn(env) });
const passRole = (service: string): Need => ({
  actions: ['iam:PassRole'],
  resource: role,
  context: (env) => existing(env, { 'iam:PassedToService': service }),
});
const grantFor = (service: string): Need => ({
  actions: ['kms:CreateGrant'],
  resource: key,
  context: (env) =>
    existing(env, {
      'kms:GrantIsForAWSResource': true,
      'kms:ViaService': `${service}.${SAMPLE_REGION}.amazonaws.com`,
    }),
});
const ec2Create = (action: string, type: string, uses: string[]): Need[] => [
  { actions: [action], resource: ec2(type), context: (env) => created(env) },
  {
    actions: ['ec2:CreateTags'],
    resource: ec2(type),
    context: (env) => created(env, { 'ec2:CreateAction': action.slice(4) }),
  },
  ...uses.map((u): Need => ({ actions: [action], resource: ec2(u), context: (env) => existing(env) })),
];
/** `actions` on a resource the environment already has (an update, or a create that names it). */
const onExisting = (actions: string[], resource: (env: string) => string): Need => ({
  actions,
  resource,
  context: (env) => existing(env),
});
const ec2Change = (actions: string[], type: string): Need => onExisting(actions, ec2(type));
const rds = (rest: (env: string) => string) => (env: string) => arnOf('rds', rest(env));
const masterSecret: Need[] = [
  {
    actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
    resource: () => arnOf('secretsmanager', 'secret:rds!cluster-0123-AbCdEf'),
    context: () => ({}),
    shared: 'RDS names the master-user secret rds!<type>-<uuid>: neither name nor tags tell the environment',
  },
  {
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resource: key,
    context: (env) => existing(env, { 'kms:ViaService': `secretsmanager.${SAMPLE_REGION}.amazonaws.com` }),
  },
];
const rdsServiceLinkedRole: Need = {
  actions: ['iam:CreateServiceLinkedRole'],
  resource: () => arnOf('iam', 'role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS'),
  context: () => ({ 'iam:AWSServiceName': 'rds.amazonaws.com' }),
  shared: 'one service-linked role per account, created by the first database of any environment',
};
/**
 * What creating a database (Aurora cluster or RDS instance) names besides itself: its
 * subnet and parameter groups, an AWS default group; then its final snapshot (tagged),
 * the grants and the master secret RDS creates, and RDS's service-linked role.
 */
const database = (db: {
  create: string;
  parameterGroup: (env: string) => string;
  awsDefaultGroup: [arn: string, what: string];
  snapshot: [action: string, arn: (env: string) => string];
}): Need[] => [
  onExisting(
    [db.create],
    rds((env) => `subgrp:x-${env}`),
  ),
  onExisting([db.create], rds(db.parameterGroup)),
  {
    actions: [db.create],
    resource: rds(() => db.awsDefaultGroup[0]),
    context: () => ({}),
    shared: `the engine's default ${db.awsDefaultGroup[1]} is AWS's, the same for every environment`,
  },
  {
    actions: [db.snapshot[0], 'rds:AddTagsToResource'],
    resource: rds(db.snapshot[1]),
    context: (env) => created(env),
  },
  grantFor('rds'),
  ...masterSecret,
  rdsServiceLinkedRole,
];
const lifecycle = (
  resource: (env: string) => string,
  create: string[],
  change: string[],
  tag?: { tag: string; untag: string },
): Need[] => [
  { actions: create, resource, context: (env) => created(env) },
  ...(change.length ? [onExisting(change, resource)] : []),
  ...(tag
    ? [
        { actions: [tag.tag], resource, context: (env: string) => created(env) },
        { actions: [tag.tag], resource, context: (env: string) => retagged(env) },
        { actions: [tag.untag], resource, context: (env: string) => untagged(env) },
      ]
    : []),
];
/** The operators' bastion of modules/network: its role, its instance profile, its launch. */
export const bastionRole = (env: string): string => arnOf('iam', `role${WORKLOAD_PATH}x-${env}-bastion`);
export const bastionProfile = (env: string): string =>
  arnOf('iam', `instance-profile${WORKLOAD_PATH}x-${env}-bastion`);
export const bastionLaunch = (env: string, extra: Context = {}): Context =>
  created(env, {
    'ec2:InstanceType': 't4g.nano',
    'ec2:InstanceProfile': bastionProfile(env),
    'ec2:MetadataHttpTokens': 'required',
    ...extra,
  });
const passBastionRole: Need = {
  actions: ['iam:PassRole'],
  resource: bastionRole,
  context: () => ({ 'iam:PassedToService': 'ec2.amazonaws.com' }),
};
const launchCreates = (type: string, context: (env: string) => Context): Need[] => [
  { actions: ['ec2:RunInstances'], resource: ec2(type), context },
  {
    actions: ['ec2:CreateTags'],
    resource: ec2(type),
    context: (env) => created(env, { 'ec2:CreateAction': 'RunInstances' }),
  },
];
/** API Gateway's ARNs carry no account and a generated id, the same sample in every environment. */
const apigw = (path: string) => () => `arn:aws:apigateway:${SAMPLE_REGION}::${path}`;
const restApi = apigw('/restapis/a1b2c3d4e5');
/**
 * What Terraform calls for a part of a REST API (resource, method, integration, deployment,
 * stage, settings): POST/PUT/PATCH/DELETE under its API, authorized by the API's tags, which
 * API Gateway lets its children inherit.
 */
const restApiPart = (path: string): Need[] => [
  onExisting(['apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE'], () =>
    apigw(`/restapis/a1b2c3d4e5${path}`)(),
  ),
];
const bucket = (env: string) => arnOf('s3', `x-${env}-data-${SAMPLE_ACCOUNT}`);
const bucketSetting = (...actions: string[]): Need[] => [{ actions, resource: bucket, context: () => ({}) }];
const stateMachineLogDelivery: Need = {
  actions: [
    'logs:CreateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:DescribeResourcePolicies',
    'logs:GetLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:UpdateLogDelivery',
  ],
  resource: () => '*',
  context: () => ({}),
  shared: 'CloudWatch Logs vended-log delivery supports no resource-level permissions',
};

export const RESOURCE_NEEDS: Record<string, Need[]> = {
  // IAM: workload roles under the path, always with the environment's boundary.
  aws_iam_role: [
    { actions: ['iam:CreateRole', 'iam:TagRole'], resource: role, context: withBoundary(created) },
    {
      actions: [
        'iam:DeleteRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
      ],
      resource: role,
      context: withBoundary(existing),
    },
    { actions: ['iam:PutRolePermissionsBoundary'], resource: role, context: withBoundary(existing) },
    { actions: ['iam:TagRole'], resource: role, context: withBoundary(retagged) },
    { actions: ['iam:UntagRole'], resource: role, context: withBoundary(untagged) },
  ],
  aws_iam_role_policy: [
    {
      actions: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
      resource: role,
      context: withBoundary(existing),
    },
  ],
  aws_iam_role_policy_attachment: [
    {
      actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      resource: role,
      context: (env) =>
        existing(env, {
          'iam:PermissionsBoundary': boundaryArn(env),
          'iam:PolicyARN': arnOf('iam', `policy${WORKLOAD_PATH}x-${env}`),
        }),
    },
  ],
  aws_iam_policy: lifecycle(
    (env) => arnOf('iam', `policy${WORKLOAD_PATH}x-${env}`),
    ['iam:CreatePolicy'],
    ['iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy'],
    { tag: 'iam:TagPolicy', untag: 'iam:UntagPolicy' },
  ),

  // Lambda
  aws_lambda_function: [
    ...lifecycle(
      fn,
      ['lambda:CreateFunction'],
      [
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:PublishVersion',
        'lambda:PutFunctionConcurrency',
        'lambda:DeleteFunctionConcurrency',
        'lambda:DeleteFunction',
      ],
      { tag: 'lambda:TagResource', untag: 'lambda:UntagResource' },
    ),
    passRole('lambda.amazonaws.com'),
  ],
  aws_lambda_function_event_invoke_config: [
    onExisting(
      [
        'lambda:PutFunctionEventInvokeConfig',
        'lambda:UpdateFunctionEventInvokeConfig',
        'lambda:DeleteFunctionEventInvokeConfig',
      ],
      fn,
    ),
  ],
  aws_lambda_permission: [
    { actions: ['lambda:AddPermission', 'lambda:RemovePermission'], resource: fn, context: () => ({}) },
  ],
  aws_lambda_invocation: [
    {
      actions: ['lambda:InvokeFunction'],
      resource: (env) => arnOf('lambda', `function:x-migrate-${env}`),
      context: () => ({}),
    },
  ],
  aws_lambda_event_source_mapping: [
    {
      actions: ['lambda:CreateEventSourceMapping'],
      resource: () => '*',
      context: (env) => created(env, { 'lambda:FunctionArn': fn(env) }),
    },
    {
      actions: ['lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping'],
      resource: () => arnOf('lambda', 'event-source-mapping:0123abcd-0123-4567-89ab-0123456789ab'),
      context: (env) => existing(env, { 'lambda:FunctionArn': fn(env) }),
    },
    ...lifecycle(
      () => arnOf('lambda', 'event-source-mapping:0123abcd-0123-4567-89ab-0123456789ab'),
      ['lambda:TagResource'],
      [],
      { tag: 'lambda:TagResource', untag: 'lambda:UntagResource' },
    ),
  ],

  // Logs, alarms, dashboards
  aws_cloudwatch_log_group: lifecycle(
    (env) => arnOf('logs', `log-group:/aws/lambda/x-${env}:*`),
    ['logs:CreateLogGroup'],
    [
      'logs:PutRetentionPolicy',
      'logs:DeleteRetentionPolicy',
      'logs:AssociateKmsKey',
      'logs:DisassociateKmsKey',
      'logs:DeleteLogGroup',
    ],
    { tag: 'logs:TagResource', untag: 'logs:UntagResource' },
  ),
  aws_cloudwatch_metric_alarm: lifecycle(
    (env) => arnOf('cloudwatch', `alarm:x-${env}-errors`),
    ['cloudwatch:PutMetricAlarm'],
    ['cloudwatch:DeleteAlarms'],
    { tag: 'cloudwatch:TagResource', untag: 'cloudwatch:UntagResource' },
  ),
  aws_cloudwatch_dashboard: [
    {
      actions: ['cloudwatch:PutDashboard', 'cloudwatch:DeleteDashboards'],
      resource: (env) => arnOf('cloudwatch', `dashboard/x-${env}`),
      context: () => ({}),
    },
  ],

  // Topics and queues
  aws_sns_topic: lifecycle(
    (env) => arnOf('sns', `x-${env}`),
    ['sns:CreateTopic'],
    ['sns:SetTopicAttributes', 'sns:DeleteTopic'],
    { tag: 'sns:TagResource', untag: 'sns:UntagResource' },
  ),
  aws_sns_topic_policy: [onExisting(['sns:SetTopicAttributes'], (env) => arnOf('sns', `x-${env}`))],
  aws_sns_topic_subscription: [
    { actions: ['sns:Subscribe'], resource: (env) => arnOf('sns', `x-${env}`), context: () => ({}) },
    {
      actions: ['sns:Unsubscribe'],
      resource: (env) => arnOf('sns', `x-${env}:0123abcd-0123-4567-89ab-0123456789ab`),
      context: () => ({}),
    },
  ],
  aws_sqs_queue: lifecycle(
    (env) => arnOf('sqs', `x-${env}-dlq`),
    ['sqs:CreateQueue'],
    ['sqs:SetQueueAttributes', 'sqs:DeleteQueue'],
    { tag: 'sqs:TagQueue', untag: 'sqs:UntagQueue' },
  ),
  aws_sqs_queue_policy: [onExisting(['sqs:SetQueueAttributes'], (env) => arnOf('sqs', `x-${env}-dlq`))],
  aws_sqs_queue_redrive_policy: [onExisting(['sqs:SetQueueAttributes'], (env) => arnOf('sqs', `x-${env}`))],
  aws_sqs_queue_redrive_allow_policy: [
    onExisting(['sqs:SetQueueAttributes'], (env) => arnOf('sqs', `x-${env}-dlq`)),
  ],

  // Orchestration
  aws_cloudwatch_event_rule: lifecycle(
    (env) => arnOf('events', `rule/x-${env}-schedule`),
    ['events:PutRule'],
    ['events:EnableRule', 'events:DisableRule', 'events:DeleteRule'],
    { tag: 'events:TagResource', untag: 'events:UntagResource' },
  ),
  aws_cloudwatch_event_target: [
    onExisting(['events:PutTargets', 'events:RemoveTargets'], (env) =>
      arnOf('events', `rule/x-${env}-schedule`),
    ),
    passRole('events.amazonaws.com'),
  ],
  aws_scheduler_schedule: [
    {
      actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
      resource: (env) => arnOf('scheduler', `schedule/default/x-${env}`),
      context: () => ({}),
    },
    passRole('scheduler.amazonaws.com'),
  ],
  aws_scheduler_schedule_group: lifecycle(
    (env) => arnOf('scheduler', `schedule-group/x-${env}`),
    ['scheduler:CreateScheduleGroup'],
    ['scheduler:DeleteScheduleGroup'],
    { tag: 'scheduler:TagResource', untag: 'scheduler:UntagResource' },
  ),
  aws_sfn_state_machine: [
    ...lifecycle(
      (env) => arnOf('states', `stateMachine:x-${env}`),
      ['states:CreateStateMachine'],
      ['states:UpdateStateMachine', 'states:DeleteStateMachine'],
      { tag: 'states:TagResource', untag: 'states:UntagResource' },
    ),
    passRole('states.amazonaws.com'),
    stateMachineLogDelivery,
  ],

  // REST APIs: created tagged, then changed by their (inherited) tags.
  aws_api_gateway_rest_api: [
    { actions: ['apigateway:POST'], resource: apigw('/restapis'), context: (env) => created(env) },
    onExisting(['apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE'], restApi),
    {
      actions: ['apigateway:PUT'],
      resource: apigw(`/tags/${encodeURIComponent(restApi())}`),
      context: (env) => retagged(env),
    },
    {
      actions: ['apigateway:DELETE'],
      resource: apigw(`/tags/${encodeURIComponent(restApi())}`),
      context: (env) => untagged(env),
    },
  ],
  aws_api_gateway_resource: restApiPart('/resources/abc123'),
  aws_api_gateway_method: restApiPart('/resources/abc123/methods/ANY'),
  aws_api_gateway_integration: restApiPart('/resources/abc123/methods/ANY/integration'),
  aws_api_gateway_deployment: restApiPart('/deployments/def456'),
  aws_api_gateway_stage: restApiPart('/stages/dev'),
  aws_api_gateway_method_settings: restApiPart('/stages/dev'),
  aws_api_gateway_account: [
    {
      actions: ['apigateway:PATCH'],
      resource: apigw('/account'),
      context: () => ({}),
      shared: "API Gateway's CloudWatch role is one setting of the account and region",
    },
    passRole('apigateway.amazonaws.com'),
  ],

  // Buckets, tables, secrets
  aws_s3_bucket: [
    ...bucketSetting('s3:CreateBucket', 's3:PutBucketTagging', 's3:DeleteBucket'),
    // force_destroy empties the bucket first.
    {
      actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      resource: (env) => `${bucket(env)}/incoming/a.csv`,
      context: () => ({}),
    },
  ],
  aws_s3_bucket_versioning: bucketSetting('s3:PutBucketVersioning'),
  aws_s3_bucket_server_side_encryption_configuration: bucketSetting('s3:PutEncryptionConfiguration'),
  aws_s3_bucket_public_access_block: bucketSetting('s3:PutBucketPublicAccessBlock'),
  aws_s3_bucket_ownership_controls: bucketSetting('s3:PutBucketOwnershipControls'),
  aws_s3_bucket_lifecycle_configuration: bucketSetting('s3:PutLifecycleConfiguration'),
  aws_s3_bucket_policy: bucketSetting('s3:PutBucketPolicy', 's3:DeleteBucketPolicy'),
  aws_s3_bucket_notification: bucketSetting('s3:PutBucketNotification'),
  aws_dynamodb_table: [
    ...lifecycle(
      (env) => arnOf('dynamodb', `table/x-${env}`),
      ['dynamodb:CreateTable'],
      [
        'dynamodb:UpdateTable',
        'dynamodb:UpdateTimeToLive',
        'dynamodb:UpdateContinuousBackups',
        'dynamodb:DeleteTable',
      ],
      { tag: 'dynamodb:TagResource', untag: 'dynamodb:UntagResource' },
    ),
    grantFor('dynamodb'),
  ],
  aws_secretsmanager_secret: lifecycle(
    (env) => arnOf('secretsmanager', `secret:x-${env}/api-key-AbCdEf`),
    ['secretsmanager:CreateSecret'],
    ['secretsmanager:UpdateSecret', 'secretsmanager:DeleteSecret'],
    { tag: 'secretsmanager:TagResource', untag: 'secretsmanager:UntagResource' },
  ),

  // KMS: tagged on create, then only keys tagged for the environment.
  aws_kms_key: [
    { actions: ['kms:CreateKey'], resource: () => '*', context: (env) => created(env) },
    ...lifecycle(
      key,
      ['kms:TagResource'],
      [
        'kms:EnableKeyRotation',
        'kms:DisableKeyRotation',
        'kms:PutKeyPolicy',
        'kms:UpdateKeyDescription',
        'kms:ScheduleKeyDeletion',
      ],
      { tag: 'kms:TagResource', untag: 'kms:UntagResource' },
    ),
  ],
  aws_kms_alias: [
    {
      actions: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'],
      resource: (env) => arnOf('kms', `alias/x-${env}`),
      context: () => ({}),
    },
    onExisting(['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'], key),
  ],

  // Network: tagged on create (the created resource), tagged resources afterwards.
  aws_vpc: [
    ...ec2Create('ec2:CreateVpc', 'vpc', []),
    ec2Change(['ec2:ModifyVpcAttribute', 'ec2:DeleteVpc'], 'vpc'),
  ],
  aws_subnet: [
    ...ec2Create('ec2:CreateSubnet', 'subnet', ['vpc']),
    ec2Change(['ec2:ModifySubnetAttribute', 'ec2:DeleteSubnet'], 'subnet'),
  ],
  aws_internet_gateway: [
    ...ec2Create('ec2:CreateInternetGateway', 'internet-gateway', []),
    ec2Change(
      ['ec2:AttachInternetGateway', 'ec2:DetachInternetGateway', 'ec2:DeleteInternetGateway'],
      'internet-gateway',
    ),
    ec2Change(['ec2:AttachInternetGateway', 'ec2:DetachInternetGateway'], 'vpc'),
  ],
  aws_eip: [
    ...ec2Create('ec2:AllocateAddress', 'elastic-ip', []),
    ec2Change(['ec2:DisassociateAddress', 'ec2:ReleaseAddress'], 'elastic-ip'),
  ],
  aws_nat_gateway: [
    ...ec2Create('ec2:CreateNatGateway', 'natgateway', ['subnet', 'elastic-ip']),
    ec2Change(['ec2:DeleteNatGateway'], 'natgateway'),
  ],
  aws_route_table: [
    ...ec2Create('ec2:CreateRouteTable', 'route-table', ['vpc']),
    ec2Change(['ec2:DeleteRouteTable'], 'route-table'),
  ],
  aws_route: [ec2Change(['ec2:CreateRoute', 'ec2:ReplaceRoute', 'ec2:DeleteRoute'], 'route-table')],
  aws_route_table_association: [
    ec2Change(['ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable'], 'route-table'),
    ec2Change(['ec2:AssociateRouteTable'], 'subnet'),
  ],
  aws_security_group: [
    ...ec2Create('ec2:CreateSecurityGroup', 'security-group', ['vpc']),
    // The provider revokes the default allow-all egress rule right after the create.
    ec2Change(
      ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
      'security-group',
    ),
  ],
  aws_default_security_group: [
    {
      actions: ['ec2:CreateTags', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      resource: ec2('security-group'),
      context: (env) => created(env),
      shared: 'AWS creates a VPC default security group untagged; adopting it means tagging it first',
    },
    ec2Change(
      ['ec2:CreateTags', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      'security-group',
    ),
  ],
  aws_vpc_security_group_ingress_rule: [
    ...ec2Create('ec2:AuthorizeSecurityGroupIngress', 'security-group-rule', ['security-group']),
    ec2Change(
      [
        'ec2:ModifySecurityGroupRules',
        'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
        'ec2:RevokeSecurityGroupIngress',
      ],
      'security-group',
    ),
    ec2Change(['ec2:ModifySecurityGroupRules'], 'security-group-rule'),
  ],
  aws_vpc_security_group_egress_rule: [
    ...ec2Create('ec2:AuthorizeSecurityGroupEgress', 'security-group-rule', ['security-group']),
    ec2Change(
      [
        'ec2:ModifySecurityGroupRules',
        'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
        'ec2:RevokeSecurityGroupEgress',
      ],
      'security-group',
    ),
    ec2Change(['ec2:ModifySecurityGroupRules'], 'security-group-rule'),
  ],
  aws_vpc_endpoint: [
    ...ec2Create('ec2:CreateVpcEndpoint', 'vpc-endpoint', ['vpc', 'subnet', 'security-group', 'route-table']),
    {
      actions: ['ec2:CreateVpcEndpoint'],
      resource: () => arnOf('ec2', 'vpc-endpoint-service/com.amazonaws.ap-northeast-1.s3'),
      context: () => ({}),
      shared: "the endpoint's service is AWS's, the same for every environment",
    },
    ec2Change(['ec2:ModifyVpcEndpoint', 'ec2:DeleteVpcEndpoints'], 'vpc-endpoint'),
  ],

  // The bastion: an instance of one shape, its encrypted root volume, Amazon's image.
  aws_instance: [
    ...launchCreates('instance', (env) => bastionLaunch(env)),
    ...launchCreates('volume', (env) => created(env, { 'ec2:Encrypted': true })),
    onExisting(['ec2:RunInstances'], ec2('subnet')),
    onExisting(['ec2:RunInstances'], ec2('security-group')),
    {
      actions: ['ec2:RunInstances'],
      resource: () => `arn:aws:ec2:${SAMPLE_REGION}::image/ami-0123456789abcdef0`,
      context: () => ({ 'ec2:Owner': 'amazon' }),
      shared:
        "the image is Amazon's (the Amazon Linux 2023 public parameter), the same for every environment",
    },
    {
      actions: ['ec2:RunInstances'],
      resource: ec2('network-interface'),
      context: () => ({}),
      shared:
        "an instance's network interface is created untagged; the tagged subnet and security group decide",
    },
    passBastionRole,
    ec2Change(
      [
        'ec2:TerminateInstances',
        'ec2:StopInstances',
        'ec2:StartInstances',
        'ec2:ModifyInstanceAttribute',
        'ec2:ModifyInstanceMetadataOptions',
        'ec2:AssociateIamInstanceProfile',
        'ec2:DisassociateIamInstanceProfile',
        'ec2:ReplaceIamInstanceProfileAssociation',
      ],
      'instance',
    ),
  ],
  aws_iam_instance_profile: [
    ...lifecycle(
      bastionProfile,
      ['iam:CreateInstanceProfile'],
      ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      { tag: 'iam:TagInstanceProfile', untag: 'iam:UntagInstanceProfile' },
    ),
    // AddRoleToInstanceProfile passes the role.
    passBastionRole,
  ],

  // Databases: tagged on create, tagged resources afterwards.
  aws_db_subnet_group: lifecycle(
    rds((env) => `subgrp:x-${env}`),
    ['rds:CreateDBSubnetGroup'],
    ['rds:ModifyDBSubnetGroup', 'rds:DeleteDBSubnetGroup'],
    { tag: 'rds:AddTagsToResource', untag: 'rds:RemoveTagsFromResource' },
  ),
  aws_db_parameter_group: lifecycle(
    rds((env) => `pg:x-${env}-postgres16`),
    ['rds:CreateDBParameterGroup'],
    ['rds:ModifyDBParameterGroup', 'rds:DeleteDBParameterGroup'],
    { tag: 'rds:AddTagsToResource', untag: 'rds:RemoveTagsFromResource' },
  ),
  aws_rds_cluster_parameter_group: lifecycle(
    rds((env) => `cluster-pg:x-${env}`),
    ['rds:CreateDBClusterParameterGroup'],
    ['rds:ModifyDBClusterParameterGroup', 'rds:DeleteDBClusterParameterGroup'],
    { tag: 'rds:AddTagsToResource', untag: 'rds:RemoveTagsFromResource' },
  ),
  aws_rds_cluster: [
    ...lifecycle(
      rds((env) => `cluster:x-${env}`),
      ['rds:CreateDBCluster'],
      // enable_http_endpoint (the Data API) of a provisioned-mode cluster: a separate call after the create.
      ['rds:ModifyDBCluster', 'rds:DeleteDBCluster', 'rds:EnableHttpEndpoint', 'rds:DisableHttpEndpoint'],
      { tag: 'rds:AddTagsToResource', untag: 'rds:RemoveTagsFromResource' },
    ),
    ...database({
      create: 'rds:CreateDBCluster',
      parameterGroup: (env) => `cluster-pg:x-${env}`,
      awsDefaultGroup: ['cluster-pg:default.aurora-postgresql16', 'parameter group'],
      snapshot: ['rds:CreateDBClusterSnapshot', (env) => `cluster-snapshot:x-${env}-final-1a2b3c4d`],
    }),
  ],
  aws_rds_cluster_instance: [
    ...lifecycle(
      rds((env) => `db:x-${env}-1`),
      ['rds:CreateDBInstance'],
      ['rds:ModifyDBInstance', 'rds:DeleteDBInstance'],
      { tag: 'rds:AddTagsToResource', untag: 'rds:RemoveTagsFromResource' },
    ),
    onExisting(
      ['rds:CreateDBInstance'],
      rds((env) => `cluster:x-${env}`),
    ),
  ],
  aws_db_instance: [
    ...lifecycle(
      rds((env) => `db:x-${env}`),
      ['rds:CreateDBInstance'],
      ['rds:ModifyDBInstance', 'rds:DeleteDBInstance'],
      { tag: 'rds:AddTagsToResource', untag: 'rds:RemoveTagsFromResource' },
    ),
    ...database({
      create: 'rds:CreateDBInstance',
      parameterGroup: (env) => `pg:x-${env}-postgres16`,
      awsDefaultGroup: ['og:default:postgres-16', 'option group'],
      snapshot: ['rds:CreateDBSnapshot', (env) => `snapshot:x-${env}-final-1a2b3c4d`],
    }),
  ],
};

/**
 * AWS resource types of the modules, with where each is used. Data sources only
 * read (ReadOnlyAccess); other providers' types (terraform_data, random_*) call no AWS API.
 */
export function resourceTypes(mods: TfModule[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of mods) {
    for (const r of m.resources.filter((x) => x.type.startsWith('aws_'))) {
      out.set(r.type, [...(out.get(r.type) ?? []), `${m.dir}: ${r.address}`]);
    }
  }
  return out;
}

/** Types a module uses that RESOURCE_NEEDS does not describe, with where they are used. */
export function unknownResourceTypes(types: Map<string, string[]>): string[] {
  return [...types.entries()]
    .filter(([type]) => RESOURCE_NEEDS[type] === undefined)
    .map(([type, where]) => `${type} (${where.join(', ')}) is not in RESOURCE_NEEDS`);
}

const describeRequest = (type: string, req: IamRequest, decision: Decision): string =>
  `${type}: ${req.action} on ${req.resource} ${JSON.stringify(req.context ?? {})}: ${decision}`;

/** Requests the resource types need in `env` that `statements` (env's apply role) do not allow. */
export function unmetNeeds(statements: IamStatement[], types: Iterable<string>, env: string): string[] {
  const out: string[] = [];
  for (const type of types) {
    for (const need of RESOURCE_NEEDS[type] ?? []) {
      for (const action of need.actions) {
        const req = { action, resource: need.resource(env), context: need.context(env) };
        const decision = evaluate(statements, req);
        if (decision !== 'allowed') out.push(describeRequest(type, req, decision));
      }
    }
  }
  return out;
}

/** The same requests against `other`'s resources that `statements` (env's apply role) allow. */
export function crossEnvironmentReach(
  statements: IamStatement[],
  types: Iterable<string>,
  other: string,
): string[] {
  const out: string[] = [];
  for (const type of types) {
    for (const need of (RESOURCE_NEEDS[type] ?? []).filter((n) => n.shared === undefined)) {
      for (const action of need.actions) {
        const req = { action, resource: need.resource(other), context: need.context(other) };
        const decision = evaluate(statements, req);
        if (decision === 'allowed') out.push(describeRequest(type, req, decision));
      }
    }
  }
  return out;
}

/**
 * Actions the modules' role policies grant that the boundary never allows: the role
 * would silently lose them. Statements with principals are resource, trust or key
 * policies, which a boundary does not cap. Checked per action (any resource):
 * the boundary's resources are checked by the workload scenarios.
 */
export function boundaryGaps(boundary: IamStatement[], mods: TfModule[]): string[] {
  const out: string[] = [];
  for (const mod of mods) {
    for (const doc of mod.dataSources.filter((d) => d.type === 'aws_iam_policy_document')) {
      nestedBlocks(doc.body, 'statement').forEach((s, i) => {
        if (nestedBlocks(s, 'principals').length > 0) return;
        if (s['effect'] !== undefined && s['effect'] !== 'Allow') return;
        for (const action of statementActions(mod, s['actions']).filter((a) => !a.includes('${'))) {
          const allowed = boundary.some(
            (b) =>
              b.effect === 'Allow' && (b.actions ? b.actions.some((p) => actionMatches(p, action)) : false),
          );
          if (!allowed) {
            const sid = typeof s['sid'] === 'string' ? s['sid'] : String(i);
            out.push(`${mod.dir}: ${doc.address}.statement[${sid}]: ${action}`);
          }
        }
      });
    }
  }
  return out;
}

/** Roles the modules create without the workload path or without a permissions boundary. */
export function rolesWithoutBoundary(mods: TfModule[]): string[] {
  return mods.flatMap((m) =>
    m.resources
      .filter((r) => r.type === 'aws_iam_role')
      .filter((r) => r.body['permissions_boundary'] === undefined || r.body['path'] === undefined)
      .map((r) => `${m.dir}: ${r.address}`),
  );
}

// ---------------------------------------------------------------------------
// Names: the apply role's resource patterns (*-<env>, *-<env>-*) must match what
// the modules actually name things. Each named resource's name is rendered with
// var.environment set, and the first need of its type (the create) is asked for
// that exact ARN.
// ---------------------------------------------------------------------------

interface Named {
  attr: string;
  arn: (name: string) => string;
}

export const NAMED_RESOURCES: Record<string, Named> = {
  aws_iam_role: { attr: 'name', arn: (n) => arnOf('iam', `role${WORKLOAD_PATH}${n}`) },
  aws_iam_policy: { attr: 'name', arn: (n) => arnOf('iam', `policy${WORKLOAD_PATH}${n}`) },
  aws_iam_instance_profile: {
    attr: 'name',
    arn: (n) => arnOf('iam', `instance-profile${WORKLOAD_PATH}${n}`),
  },
  aws_lambda_function: { attr: 'function_name', arn: (n) => arnOf('lambda', `function:${n}`) },
  aws_lambda_invocation: { attr: 'function_name', arn: (n) => arnOf('lambda', `function:${n}`) },
  aws_cloudwatch_log_group: { attr: 'name', arn: (n) => arnOf('logs', `log-group:${n}:*`) },
  aws_cloudwatch_metric_alarm: { attr: 'alarm_name', arn: (n) => arnOf('cloudwatch', `alarm:${n}`) },
  aws_cloudwatch_dashboard: { attr: 'dashboard_name', arn: (n) => arnOf('cloudwatch', `dashboard/${n}`) },
  aws_sns_topic: { attr: 'name', arn: (n) => arnOf('sns', n) },
  aws_sqs_queue: { attr: 'name', arn: (n) => arnOf('sqs', n) },
  aws_cloudwatch_event_rule: { attr: 'name', arn: (n) => arnOf('events', `rule/${n}`) },
  aws_scheduler_schedule: { attr: 'name', arn: (n) => arnOf('scheduler', `schedule/default/${n}`) },
  aws_scheduler_schedule_group: { attr: 'name', arn: (n) => arnOf('scheduler', `schedule-group/${n}`) },
  aws_sfn_state_machine: { attr: 'name', arn: (n) => arnOf('states', `stateMachine:${n}`) },
  aws_s3_bucket: { attr: 'bucket', arn: (n) => arnOf('s3', n) },
  aws_dynamodb_table: { attr: 'name', arn: (n) => arnOf('dynamodb', `table/${n}`) },
  aws_secretsmanager_secret: { attr: 'name', arn: (n) => arnOf('secretsmanager', `secret:${n}-AbCdEf`) },
  aws_kms_alias: { attr: 'name', arn: (n) => arnOf('kms', n) },
  aws_db_subnet_group: { attr: 'name', arn: (n) => arnOf('rds', `subgrp:${n}`) },
  aws_db_parameter_group: { attr: 'name', arn: (n) => arnOf('rds', `pg:${n}`) },
  aws_rds_cluster_parameter_group: { attr: 'name', arn: (n) => arnOf('rds', `cluster-pg:${n}`) },
  aws_rds_cluster: { attr: 'cluster_identifier', arn: (n) => arnOf('rds', `cluster:${n}`) },
  aws_rds_cluster_instance: { attr: 'identifier', arn: (n) => arnOf('rds', `db:${n}`) },
  aws_db_instance: { attr: 'identifier', arn: (n) => arnOf('rds', `db:${n}`) },
};

const UNKNOWN = '\u0000';

/**
 * The name a module gives a resource in `env`, or undefined when the module cannot
 * tell (unset, or built only from what its caller passes: the caller is checked
 * where it names it). Unknown parts render as "x".
 */
export function renderedName(mod: TfModule, block: Block, attr: string, env: string): string | undefined {
  const raw = block.body[attr];
  if (raw === undefined) return undefined;
  const value = render(raw, {
    module: mod,
    vars: { environment: env },
    fallback: () => UNKNOWN,
  });
  if (typeof value !== 'string' || value === UNKNOWN) return undefined;
  const mentionsEnv = value.includes(env);
  if (!mentionsEnv && value.includes(UNKNOWN)) return undefined;
  return value.split(UNKNOWN).join('x');
}

/** Named resources whose actual name the apply role of `env` may not create. */
export function unmatchedNames(statements: IamStatement[], mods: TfModule[], env: string): string[] {
  const out: string[] = [];
  for (const mod of mods) {
    for (const block of mod.resources) {
      const named = NAMED_RESOURCES[block.type];
      const need = RESOURCE_NEEDS[block.type]?.[0];
      if (!named || !need) continue;
      const name = renderedName(mod, block, named.attr, env);
      if (name === undefined) continue;
      for (const action of need.actions) {
        const req = { action, resource: named.arn(name), context: need.context(env) };
        const decision = evaluate(statements, req);
        if (decision !== 'allowed') {
          out.push(`${mod.dir}: ${block.address} "${name}": ${action} on ${req.resource}: ${decision}`);
        }
      }
    }
  }
  return out;
}
