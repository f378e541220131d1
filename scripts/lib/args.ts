import { statSync } from 'node:fs';

/**
 * The one command-line parser of `npm run local`, `npm run invoke` and `npm run bench`.
 * A command declares its options once; the same declaration parses the arguments,
 * checks their values (numbers, files) before any work starts, and prints the usage.
 * Bad input becomes a UsageError, which `runCli` turns into the problem, the usage
 * and exit 2 — never a stack trace for a person's own typo.
 */
export type OptionSpec =
  | { type: 'boolean'; description: string }
  | { type: 'string'; description: string; value?: string; default?: string; choices?: readonly string[] }
  | { type: 'integer'; description: string; value?: string; default?: number; min?: number; max?: number }
  | { type: 'file'; description: string; value?: string }
  | { type: 'list'; description: string; value?: string }
  /** Repeatable `--name KEY=VALUE`. */
  | { type: 'pairs'; description: string; value?: string };

export type OptionsSpec = Record<string, OptionSpec>;

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  /** Takes every remaining positional argument. */
  variadic?: boolean;
  /** When given, the value must be one of these (an unknown one is named and the valid ones listed). */
  choices?: readonly string[];
}

export interface CommandSpec<O extends OptionsSpec = OptionsSpec> {
  /** How a person types the command, e.g. `npm run local -- csv-processor`. */
  usage: string;
  summary?: string;
  options: O;
  positionals?: readonly PositionalSpec[];
  /** Extra lines after the options (examples, where output goes). */
  notes?: readonly string[];
}

type ValueOf<S extends OptionSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'integer' }
    ? number
    : S extends { type: 'list' }
      ? string[]
      : S extends { type: 'pairs' }
        ? Record<string, string>
        : string;

export type ParsedValues<O extends OptionsSpec> = {
  [K in keyof O]: O[K] extends
    { type: 'boolean' } | { type: 'list' } | { type: 'pairs' } | { default: string | number }
    ? ValueOf<O[K]>
    : ValueOf<O[K]> | undefined;
};

export interface Parsed<O extends OptionsSpec> {
  values: ParsedValues<O>;
  positionals: string[];
}

/** A person's mistake on the command line; `usage` is printed after the message. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/**
 * A value that parses but cannot be used (an impossible date, a reversed range): the one line
 * naming it is the whole message, exit 2; the usage would only bury it.
 */
export class InvalidValueError extends UsageError {
  override name = 'InvalidValueError';
}

/** `--help` / `-h`: not an error, the usage goes to stdout and the exit code is 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  constructor(readonly usage: string) {
    super('help requested');
  }
}

export function formatUsage(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? [])
    .map((p) => {
      const name = `<${p.name}>${p.variadic ? '…' : ''}`;
      return p.required ? name : `[${name}]`;
    })
    .join(' ');
  const lines = [`usage: ${spec.usage}${positionals ? ` ${positionals}` : ''} [options]`];
  if (spec.summary) lines.push('', spec.summary);
  const rows: Array<[string, string]> = [];
  for (const p of spec.positionals ?? []) {
    const choices = p.choices?.length ? ` (one of: ${p.choices.join(', ')})` : '';
    rows.push([`<${p.name}>`, `${p.description}${choices}`]);
  }
  for (const [name, option] of Object.entries(spec.options)) {
    const placeholder =
      option.type === 'boolean'
        ? ''
        : ` <${('value' in option && option.value) || { integer: 'n', pairs: 'KEY=VALUE' }[option.type as string] || option.type}>`;
    const extra: string[] = [];
    if ('choices' in option && option.choices) extra.push(`one of: ${option.choices.join(', ')}`);
    if ('default' in option && option.default !== undefined) extra.push(`default ${String(option.default)}`);
    rows.push([
      `--${name}${placeholder}`,
      `${option.description}${extra.length ? ` (${extra.join('; ')})` : ''}`,
    ]);
  }
  rows.push(['-h, --help', 'show this help']);
  const width = Math.min(30, Math.max(...rows.map(([left]) => left.length)));
  lines.push('', 'options:');
  for (const [left, right] of rows) {
    lines.push(
      left.length > width
        ? `  ${left}\n  ${' '.repeat(width)}  ${right}`
        : `  ${left.padEnd(width)}  ${right}`,
    );
  }
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n');
}

function checkFile(option: string, path: string): string {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new Error(`--${option}: no such file: ${path}`);
  }
  if (stats.isDirectory()) throw new Error(`--${option}: ${path} is a directory, not a file`);
  return path;
}

function convert(
  name: string,
  option: OptionSpec,
  raw: string,
): string | number | string[] | Record<string, string> {
  switch (option.type) {
    case 'pairs': {
      const at = raw.indexOf('=');
      if (at < 1) throw new Error(`--${name} must be KEY=VALUE, got "${raw}"`);
      return { [raw.slice(0, at)]: raw.slice(at + 1) };
    }
    case 'integer': {
      const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      const min = option.min ?? Number.MIN_SAFE_INTEGER;
      const max = option.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        const range =
          option.max !== undefined
            ? `an integer from ${min} to ${max}`
            : min === 1
              ? 'a positive integer'
              : min === 0
                ? 'a non-negative integer'
                : `an integer ≥ ${min}`;
        throw new Error(`--${name} must be ${range}, got "${raw}"`);
      }
      return n;
    }
    case 'file':
      return checkFile(name, raw);
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'string':
      if (option.choices && !option.choices.includes(raw))
        throw new Error(`--${name} must be one of ${option.choices.join(', ')}, got "${raw}"`);
      return raw;
    default:
      return raw;
  }
}

/**
 * Parses `argv` against `spec`: `--name value`, `--name=value`, boolean `--flag`,
 * `--` ends the options. Throws UsageError (with the usage) on an unknown option, a
 * missing or malformed value, a file that does not exist or is a directory, a missing
 * or unknown positional; throws HelpRequested for `-h`/`--help`.
 */
export function parseCommand<O extends OptionsSpec>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): Parsed<O> {
  const usage = formatUsage(spec);
  const fail = (message: string): never => {
    throw new UsageError(message, usage);
  };
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (arg === '-h' || arg === '--help') throw new HelpRequested(usage);
    if (!arg.startsWith('--')) fail(`unknown option ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const option = spec.options[name];
    if (!option) {
      const valid = Object.keys(spec.options).map((o) => `--${o}`);
      fail(`unknown option --${name}${valid.length ? ` (valid: ${valid.join(', ')})` : ''}`);
    }
    if (option!.type === 'boolean') {
      if (eq > 0) fail(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq > 0) raw = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      // `--file --json` means the value was forgotten, not a file named "--json".
      if (next !== undefined && !next.startsWith('--')) {
        raw = next;
        i++;
      }
    }
    if (raw === undefined || raw === '') fail(`--${name} needs a value`);
    let value: unknown;
    try {
      value = convert(name, option!, raw!);
    } catch (error) {
      fail((error as Error).message);
    }
    if (option!.type === 'list' && Array.isArray(values[name])) {
      values[name] = [...(values[name] as string[]), ...(value as string[])];
    } else if (option!.type === 'pairs') {
      values[name] = {
        ...(values[name] as Record<string, string> | undefined),
        ...(value as Record<string, string>),
      };
    } else values[name] = value;
  }
  for (const [name, option] of Object.entries(spec.options)) {
    if (values[name] !== undefined) continue;
    if (option.type === 'boolean') values[name] = false;
    else if (option.type === 'list') values[name] = [];
    else if (option.type === 'pairs') values[name] = {};
    else if ('default' in option && option.default !== undefined) values[name] = option.default;
  }
  const declared = spec.positionals ?? [];
  declared.forEach((p, index) => {
    const given = p.variadic
      ? positionals.slice(index)
      : positionals[index] === undefined
        ? []
        : [positionals[index]!];
    if (p.required && given.length === 0) fail(`missing <${p.name}>`);
    for (const value of given) {
      if (p.choices && !p.choices.includes(value))
        fail(`unknown ${p.name} "${value}" (valid: ${p.choices.join(', ')})`);
    }
  });
  if (!declared.some((p) => p.variadic) && positionals.length > declared.length)
    fail(`unexpected argument "${positionals[declared.length]}"`);
  return { values: values as ParsedValues<O>, positionals };
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * The outcome of a command's error as an exit code: usage problems exit 2 with the
 * message and the usage; help exits 0; anything else is a failure to run (exit 1)
 * reported with its stack, since that one is not the person's mistake.
 */
export function reportError(error: unknown, io: CliIo = processIo): number {
  if (error instanceof HelpRequested) {
    io.stdout(`${error.usage}\n`);
    return 0;
  }
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}\n${error.usage ? `\n${error.usage}\n` : ''}`);
    return 2;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  // An error that already says what failed and what to do (e.g. the stack could not start)
  // gets no pointer to a stack trace that would add nothing.
  const explained = (e as { explained?: boolean }).explained === true;
  if (process.env.DEBUG) io.stderr(`error: ${e.stack ?? e.message}\n`);
  else if (explained) io.stderr(`error: ${e.message}\n`);
  else io.stderr(`error: ${e.message}\n(set DEBUG=1 to see where it failed)\n`);
  return 1;
}

/**
 * Runs a CLI's main function and exits with its code. The exit waits for stdout to
 * drain, so a piped JSON document is never cut short.
 */
export function runCli(main: () => Promise<number>): void {
  main()
    .catch((error: unknown) => reportError(error))
    .then((code) => {
      process.stdout.write('', () => process.exit(code));
    });
}
