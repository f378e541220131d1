/**
 * Every manual-trigger EventBridge rule matches Source=<pipeline>, DetailType=manual-trigger
 * and only its own environment's Detail, and tells operators the command that works: its
 * event patterns are evaluated for dev and prd and run against the events that
 * `aws events put-events` entries for each environment become. A rule is either a resource
 * of the module, or the one modules/triggers builds from a call's manual_trigger: then the
 * triggers module's definition is evaluated with the arguments of that call.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  evaluate,
  eventFromEntry,
  matchesPattern,
  moduleLocals,
  renderTemplate,
  resolve,
  type Scope,
  type Value,
} from './event-pattern';
import { loadAllModules, parseModule, repoRoot, terraformRoot, type HclValue, type TfModule } from './hcl';

const ENVIRONMENTS = ['dev', 'prd'] as const;
const TRIGGERS_DIR = path.join(terraformRoot, 'modules', 'triggers');

interface ManualRule {
  /** The module whose README documents the rule (the caller, for a module-built rule). */
  mod: TfModule;
  /** Where the rule is defined, for messages: `<module dir>: <address>`. */
  at: string;
  /** The rule's name, event_pattern and description as written, with the scope they evaluate in. */
  definition: (environment: string) => { body: Record<string, HclValue>; scope: Scope };
}

const scopeFor = (mod: TfModule, environment: string): Scope => ({
  vars: { environment },
  locals: moduleLocals(mod),
});

const isManual = (body: Record<string, HclValue>): boolean =>
  typeof body['event_pattern'] === 'string' && body['event_pattern'].includes('manual-trigger');

/** The triggers module's manual rule: the local whose value builds a "manual-trigger" pattern. */
function triggersManualLocal(triggers: TfModule): string {
  const found = Object.entries(moduleLocals(triggers)).filter(([, v]) =>
    JSON.stringify(v).includes('manual-trigger'),
  );
  if (found.length !== 1)
    throw new Error(`${triggers.dir}: expected one local building the manual rule, found ${found.length}`);
  return found[0]![0];
}

function manualRules(mods: TfModule[], triggers: TfModule): ManualRule[] {
  const direct = mods.flatMap((mod) =>
    mod.resources
      .filter((r) => r.type === 'aws_cloudwatch_event_rule' && isManual(r.body))
      .map((rule) => ({
        mod,
        at: `${mod.dir}: ${rule.address}`,
        definition: (env: string) => ({ body: rule.body, scope: scopeFor(mod, env) }),
      })),
  );
  const manualLocal = triggersManualLocal(triggers);
  const viaTriggers = mods.flatMap((mod) =>
    mod.moduleCalls
      .filter((call) => path.resolve(repoRoot, mod.dir, String(call.body['source'])) === TRIGGERS_DIR)
      .filter((call) => call.body['manual_trigger'] !== undefined)
      .map((call) => ({
        mod,
        at: `${mod.dir}: module.${call.name}`,
        definition: (env: string) => {
          const caller = scopeFor(mod, env);
          // The arguments the manual rule is built from, evaluated where the call is written.
          const vars = Object.fromEntries(
            ['name', 'settings', 'manual_trigger'].map((arg) => [
              arg,
              resolve(call.body[arg] ?? null, caller),
            ]),
          );
          const scope: Scope = { vars, locals: moduleLocals(triggers) };
          const built = resolve(`\${local.${manualLocal}}`, scope) as Record<
            string,
            Record<string, HclValue>
          >;
          const body = built['manual'];
          if (!body) throw new Error(`${mod.dir}: module.${call.name} builds no manual rule`);
          return { body, scope };
        },
      })),
  );
  return [...direct, ...viaTriggers];
}

function patternFor(manual: ManualRule, environment: string): Value {
  const { body, scope } = manual.definition(environment);
  const encoded = resolve(body['event_pattern'] ?? null, scope);
  if (typeof encoded !== 'string') throw new Error(`${manual.at}: event_pattern is not a JSON string`);
  return JSON.parse(encoded) as Value;
}

function descriptionFor(manual: ManualRule, environment: string): string {
  const { body, scope } = manual.definition(environment);
  const text = renderTemplate(String(body['description'] ?? ''), scope);
  return typeof text === 'string' ? text : '';
}

const entry = (source: string, detail?: Record<string, unknown>) => ({
  Source: source,
  DetailType: 'manual-trigger',
  ...(detail === undefined ? {} : { Detail: JSON.stringify(detail) }),
});

/** The entries of the `aws events put-events --entries '<json>'` command a description gives. */
function documentedEntries(description: string): { Source: string; DetailType: string; Detail?: string }[] {
  const m = /aws events put-events --entries '(\[.*?\])'/.exec(description);
  return m?.[1] ? (JSON.parse(m[1]) as { Source: string; DetailType: string; Detail?: string }[]) : [];
}

/** What is wrong with one manual-trigger rule, as readable sentences; empty when nothing is. */
export function manualRuleProblems(manual: ManualRule): string[] {
  const at = manual.at;
  const problems: string[] = [];
  for (const env of ENVIRONMENTS) {
    const pattern = patternFor(manual, env);
    const sources = (pattern as Record<string, Value>)['source'];
    const source = Array.isArray(sources) && typeof sources[0] === 'string' ? sources[0] : '';
    const other = ENVIRONMENTS.find((e) => e !== env) ?? env;

    if (!matchesPattern(pattern, eventFromEntry(entry(source, { environment: env }))))
      problems.push(`${at} (${env}) does not match its own environment's event`);
    if (matchesPattern(pattern, eventFromEntry(entry(source, { environment: other }))))
      problems.push(`${at} (${env}) matches an event for ${other}`);
    if (matchesPattern(pattern, eventFromEntry(entry(source, {}))))
      problems.push(`${at} (${env}) matches an event whose Detail names no environment`);
    if (!matchesPattern(pattern, eventFromEntry(entry(source, { environment: env, channelIds: ['UC1'] }))))
      problems.push(`${at} (${env}) refuses extra Detail fields`);

    const description = descriptionFor(manual, env);
    const documented = documentedEntries(description);
    const events = documented.map(eventFromEntry);
    if (documented.length === 0 || events.some((e) => e === null))
      problems.push(`${at} (${env}) description gives no put-events command with Detail`);
    else if (!events.every((e) => matchesPattern(pattern, e)))
      problems.push(`${at} (${env}) description's command does not match the rule`);
    if (!description.includes('FailedEntryCount 1'))
      problems.push(`${at} (${env}) description does not say the bare form is refused (FailedEntryCount 1)`);
  }
  return problems;
}

let modules: TfModule[] = [];
let triggers: TfModule;

beforeAll(async () => {
  modules = await loadAllModules();
  const found = modules.find((m) => path.resolve(repoRoot, m.dir) === TRIGGERS_DIR);
  if (!found) throw new Error('modules/triggers is missing');
  triggers = found;
});

describe('manual-trigger rules (repository)', () => {
  it('exist: the pipelines run by hand build theirs with modules/triggers', () => {
    expect(manualRules(modules, triggers).map((m) => m.at)).toEqual(
      expect.arrayContaining([
        'infrastructure/terraform/modules/batch-scheduler: module.triggers',
        'infrastructure/terraform/modules/etl: module.triggers',
        'infrastructure/terraform/modules/salesforce-extract: module.triggers',
      ]),
    );
  });

  it("match only their own environment's events, and document a command that works", () => {
    expect(manualRules(modules, triggers).flatMap(manualRuleProblems)).toEqual([]);
  });

  it("are named in their module's README with the working command and the refusal of the bare form", () => {
    for (const { mod } of manualRules(modules, triggers)) {
      const readme = path.join(repoRoot, mod.dir, 'README.md');
      const text = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
      expect(text).toContain(`"Detail":"{\\"environment\\":\\"prd\\"}"`);
      expect(text).toContain('FailedEntryCount: 1');
    }
  });

  it('batch-scheduler: a dev trigger never runs prd, nor a prd trigger dev', () => {
    const manual = manualRules(modules, triggers).find((m) => m.mod.dir.endsWith('modules/batch-scheduler'));
    expect(manual).toBeDefined();
    const dev = patternFor(manual as ManualRule, 'dev');
    const prd = patternFor(manual as ManualRule, 'prd');
    const devEvent = eventFromEntry(entry('batch-scheduler', { environment: 'dev' }));
    const prdEvent = eventFromEntry(entry('batch-scheduler', { environment: 'prd' }));
    expect([matchesPattern(dev, devEvent), matchesPattern(dev, prdEvent)]).toEqual([true, false]);
    expect([matchesPattern(prd, prdEvent), matchesPattern(prd, devEvent)]).toEqual([true, false]);
    expect(matchesPattern(prd, eventFromEntry(entry('csv-processor', { environment: 'prd' })))).toBe(false);
  });
});

const planted = async (pattern: string, description: string) => {
  const mod = await parseModule(
    {
      'main.tf': `locals {
  pipeline = "demo"
  command  = "aws events put-events --entries '[{\\"Source\\":\\"demo\\",\\"DetailType\\":\\"manual-trigger\\",\\"Detail\\":\\"{\\\\\\"environment\\\\\\":\\\\\\"\${var.environment}\\\\\\"}\\"}]'"
}
resource "aws_cloudwatch_event_rule" "manual" {
  name          = "demo-\${var.environment}-manual-trigger"
  description   = ${description}
  event_pattern = ${pattern}
}`,
    },
    'planted/demo',
  );
  return manualRules([mod], triggers);
};
const environmentPattern =
  'jsonencode({ source = [local.pipeline], "detail-type" = ["manual-trigger"], detail = { environment = [var.environment] } })';

describe('manual-trigger checks catch mistakes in a rule or a call of modules/triggers (planted)', () => {
  const plantedCall = async (environment: string, command: string) =>
    manualRules(
      [
        await parseModule(
          {
            'main.tf': `locals {
  pipeline = "demo"
  function_defaults = {
    environment = var.environment
    pipeline    = local.pipeline
    kms_key_arn = module.key.arn
  }
}
module "triggers" {
  source      = "../triggers"
  name     = "demo"
  settings = merge(local.function_defaults, { environment = ${environment} })
  manual_trigger = {
    source      = local.pipeline
    description = "Runs demo now"
    command     = ${command}
  }
}`,
          },
          'infrastructure/terraform/modules/demo',
        ),
      ],
      triggers,
    );
  const working =
    '"aws events put-events --entries \'[{\\"Source\\":\\"demo\\",\\"DetailType\\":\\"manual-trigger\\",\\"Detail\\":\\"{\\\\\\"environment\\\\\\":\\\\\\"${var.environment}\\\\\\"}\\"}]\'"';

  it('accepts a rule that matches its environment and documents the working command', async () => {
    const rules = await planted(
      environmentPattern,
      '"Runs demo: ${local.command} (bare form: FailedEntryCount 1)."',
    );
    expect(rules).toHaveLength(1);
    expect(rules.flatMap(manualRuleProblems)).toEqual([]);
  });
  it('accepts a call that passes its environment and the working command', async () => {
    const rules = await plantedCall('var.environment', working);
    expect(rules.map((r) => r.at)).toEqual(['infrastructure/terraform/modules/demo: module.triggers']);
    expect(rules.flatMap(manualRuleProblems)).toEqual([]);
  });

  it.each<[string, () => Promise<ManualRule[]>, string[]]>([
    [
      'a rule that ignores the environment (the pattern before issue 9)',
      () =>
        planted(
          'jsonencode({ source = ["demo"], "detail-type" = ["manual-trigger"] })',
          '"Runs demo: ${local.command} (bare form: FailedEntryCount 1)."',
        ),
      [
        'planted/demo: aws_cloudwatch_event_rule.manual (dev) matches an event for prd',
        'planted/demo: aws_cloudwatch_event_rule.manual (dev) matches an event whose Detail names no environment',
        'planted/demo: aws_cloudwatch_event_rule.manual (prd) matches an event for dev',
        'planted/demo: aws_cloudwatch_event_rule.manual (prd) matches an event whose Detail names no environment',
      ],
    ],
    [
      'a description that gives the bare command without Detail',
      () =>
        planted(
          environmentPattern,
          '"Runs demo: aws events put-events --entries \'[{\\"Source\\":\\"demo\\",\\"DetailType\\":\\"manual-trigger\\"}]\'"',
        ),
      [
        'planted/demo: aws_cloudwatch_event_rule.manual (dev) description gives no put-events command with Detail',
        'planted/demo: aws_cloudwatch_event_rule.manual (dev) description does not say the bare form is refused (FailedEntryCount 1)',
        'planted/demo: aws_cloudwatch_event_rule.manual (prd) description gives no put-events command with Detail',
        'planted/demo: aws_cloudwatch_event_rule.manual (prd) description does not say the bare form is refused (FailedEntryCount 1)',
      ],
    ],
    [
      'a call that pins the environment, so a dev trigger would run prd',
      () => plantedCall('"prd"', working),
      [
        "infrastructure/terraform/modules/demo: module.triggers (dev) does not match its own environment's event",
        'infrastructure/terraform/modules/demo: module.triggers (dev) matches an event for prd',
        'infrastructure/terraform/modules/demo: module.triggers (dev) refuses extra Detail fields',
        "infrastructure/terraform/modules/demo: module.triggers (dev) description's command does not match the rule",
      ],
    ],
    [
      'a call whose command has no Detail',
      () =>
        plantedCall(
          'var.environment',
          '"aws events put-events --entries \'[{\\"Source\\":\\"demo\\",\\"DetailType\\":\\"manual-trigger\\"}]\'"',
        ),
      [
        'infrastructure/terraform/modules/demo: module.triggers (dev) description gives no put-events command with Detail',
        'infrastructure/terraform/modules/demo: module.triggers (prd) description gives no put-events command with Detail',
      ],
    ],
  ])('reports %s', async (_what, rules, problems) => {
    expect((await rules()).flatMap(manualRuleProblems)).toEqual(problems);
  });
});

describe('event pattern matching', () => {
  const event = {
    source: 'aws.s3',
    'detail-type': 'Object Created',
    detail: { bucket: { name: 'in' }, object: { key: 'incoming/a.csv', size: 10 }, tags: ['x', 'y'] },
  };

  it('matches exact values, any element of an array, and nested objects', () => {
    expect(matchesPattern({ source: ['aws.s3', 'other'], detail: { bucket: { name: ['in'] } } }, event)).toBe(
      true,
    );
    expect(matchesPattern({ source: ['other'] }, event)).toBe(false);
    expect(matchesPattern({ detail: { tags: ['y'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: ['in'] } }, event)).toBe(false);
  });

  it('supports prefix, suffix, wildcard, exists, anything-but and equals-ignore-case', () => {
    const key = (m: Value) => matchesPattern({ detail: { object: { key: [m] } } }, event);
    expect([key({ prefix: 'incoming/' }), key({ prefix: 'errors/' })]).toEqual([true, false]);
    expect([key({ suffix: '.csv' }), key({ suffix: '.CSV' })]).toEqual([true, false]);
    expect([key({ wildcard: 'incoming/*.csv' }), key({ wildcard: 'incoming/*.json' })]).toEqual([
      true,
      false,
    ]);
    expect([key({ exists: true }), key({ 'anything-but': ['incoming/a.csv'] })]).toEqual([true, false]);
    expect(key({ 'equals-ignore-case': 'INCOMING/A.CSV' })).toBe(true);
    expect(matchesPattern({ detail: { missing: [{ exists: false }] } }, event)).toBe(true);
  });

  it('refuses an operator it does not know instead of guessing', () => {
    expect(() => matchesPattern({ source: [{ numeric: ['>', 0] }] }, event)).toThrow(/unsupported/);
  });

  it('evaluates merge and the branch a conditional takes, and keeps what it cannot evaluate until used', () => {
    const scope = { vars: { environment: 'dev', missing: null }, locals: {} };
    const merged = evaluate('merge({ a = module.key.arn, b = "x" }, { b = var.environment })', scope);
    expect((merged as Record<string, Value>)['b']).toBe('dev');
    expect(() => evaluate('jsonencode(merge({ a = module.key.arn }, {}))', scope)).toThrow(
      /module\.key\.arn/,
    );
    expect(evaluate('var.missing == null ? "none" : var.missing.name', scope)).toBe('none');
  });

  it('turns a PutEvents entry without Detail into no event (EventBridge refuses it)', () => {
    expect(eventFromEntry({ Source: 'batch-scheduler', DetailType: 'manual-trigger' })).toBeNull();
  });
});
