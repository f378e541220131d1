import * as z from 'zod/mini';
import { ConfigError, env, loadConfig } from '../shared/config';
import { PermanentError } from '../shared/errors';
import { FIELD_PATH, OBJECT_NAME } from './names';

/**
 * What to extract. The Terraform variable lands in SALESFORCE_OBJECTS as JSON:
 * `[{ "name": "Account", "fields": "*" | ["Id", "Owner.Name"], "where"?: "...",
 * "mode": "auto" | "rest" | "bulk", "incremental": true, "includeDeleted": false }]`.
 * A run's input may name objects instead (`{"objects": ["Account"]}`): a configured one
 * keeps its configuration, any other gets fields "*", mode auto, incremental.
 */

export { FIELD_PATH, OBJECT_NAME };

export const ObjectConfigSchema = z.object({
  name: z.string().check(z.regex(OBJECT_NAME, 'must be a Salesforce object API name')),
  fields: z._default(
    z.union([
      z.literal('*'),
      z
        .array(z.string().check(z.regex(FIELD_PATH, 'must be a field API name or Parent.Field')))
        .check(z.minLength(1)),
    ]),
    '*',
  ),
  where: z.optional(z.string().check(z.minLength(1))),
  mode: z._default(z.enum(['auto', 'rest', 'bulk']), 'auto'),
  incremental: z._default(z.boolean(), true),
  includeDeleted: z._default(z.boolean(), false),
});
export type ObjectConfig = z.infer<typeof ObjectConfigSchema>;
export type ExtractMode = ObjectConfig['mode'];

const ObjectListSchema = z.array(ObjectConfigSchema);

const objectList = z.pipe(
  z._default(z.string(), '[]'),
  z.transform((text: string, ctx) => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      ctx.issues.push({ code: 'custom', input: text, message: 'is not JSON' });
      return z.NEVER;
    }
    const parsed = z.safeParse(ObjectListSchema, raw);
    if (!parsed.success) {
      const where = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(list)'}: ${i.message}`)
        .join('; ');
      ctx.issues.push({ code: 'custom', input: text, message: where });
      return z.NEVER;
    }
    const names = new Set<string>();
    for (const o of parsed.data) {
      if (names.has(o.name.toLowerCase())) {
        ctx.issues.push({ code: 'custom', input: text, message: `${o.name} is listed twice` });
        return z.NEVER;
      }
      names.add(o.name.toLowerCase());
    }
    return parsed.data;
  }),
);

export const ExtractConfigSchema = z.object({
  RAW_BUCKET: env.string(),
  WATERMARK_TABLE: env.string(),
  SALESFORCE_SECRET_ID: env.string(),
  SALESFORCE_OBJECTS: objectList,
  SALESFORCE_API_VERSION: z._default(z.string().check(z.regex(/^\d+\.\d$/, 'expected e.g. 63.0')), '63.0'),
  /** auto picks REST when COUNT() is below this, Bulk API 2.0 otherwise. */
  REST_THRESHOLD: env.int(2000, { min: 0 }),
  LOOKBACK_SECONDS: env.int(300, { min: 0 }),
  /** Preflight fails when DailyApiRequests remaining is under this share of the maximum. */
  API_FLOOR_PERCENT: env.int(10, { min: 0, max: 100 }),
  BULK_PAGE_RECORDS: env.int(50_000, { min: 1 }),
  /** Time left for checkpointing when a REST or download invocation stops early. */
  TIME_BUDGET_RESERVE_MS: env.int(60_000, { min: 0 }),
  /** Multipart part size; S3 needs ≥ 5 MiB for every part but the last. */
  UPLOAD_PART_BYTES: env.int(8 * 1024 * 1024, { min: 5 * 1024 * 1024 }),
});
export type ExtractConfig = z.infer<typeof ExtractConfigSchema>;

export function loadExtractConfig(source: Record<string, string | undefined> = process.env): ExtractConfig {
  return loadConfig(ExtractConfigSchema, source);
}

/** A run's input names something that cannot be extracted. */
export class InvalidRunInputError extends PermanentError {
  override name = 'InvalidRunInputError';
}

export function defaultObjectConfig(name: string): ObjectConfig {
  return { name, fields: '*', mode: 'auto', incremental: true, includeDeleted: false };
}

/**
 * The objects one run extracts: every configured object, or those the input names (a
 * configured one keeps its settings; names match case-insensitively, as Salesforce's do).
 * `mode` from the input overrides every selected object's mode (the local runner's --mode).
 */
export function selectObjects(
  configured: readonly ObjectConfig[],
  input: { objects?: readonly string[]; mode?: ExtractMode },
): ObjectConfig[] {
  let selected: ObjectConfig[];
  if (input.objects === undefined) {
    if (configured.length === 0)
      throw new ConfigError('SALESFORCE_OBJECTS lists no objects and the run input names none');
    selected = [...configured];
  } else {
    if (input.objects.length === 0) throw new InvalidRunInputError('The run input lists no objects');
    const seen = new Set<string>();
    selected = [];
    for (const name of input.objects) {
      if (!OBJECT_NAME.test(name))
        throw new InvalidRunInputError(`"${name}" is not a Salesforce object API name`);
      const lower = name.toLowerCase();
      if (seen.has(lower)) continue;
      seen.add(lower);
      selected.push(configured.find((c) => c.name.toLowerCase() === lower) ?? defaultObjectConfig(name));
    }
  }
  return input.mode ? selected.map((c) => ({ ...c, mode: input.mode! })) : selected;
}
