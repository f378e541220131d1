import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HelpRequested, UsageError, formatUsage, parseCommand, reportError, type CommandSpec } from './args';

const dir = mkdtempSync(join(tmpdir(), 'args-test-'));
const file = join(dir, 'users.csv');
writeFileSync(file, 'x\n');

const spec = {
  usage: 'npm run local -- example',
  summary: 'An example command.',
  options: {
    file: { type: 'file', description: 'input CSV', value: 'path.csv' },
    rows: { type: 'integer', description: 'rows to generate', min: 1 },
    runs: { type: 'integer', description: 'repetitions', default: 10, min: 1 },
    mode: { type: 'string', description: 'how', choices: ['fast', 'slow'] },
    ids: { type: 'list', description: 'comma-separated ids' },
    json: { type: 'boolean', description: 'one JSON object on stdout' },
    env: { type: 'pairs', description: 'environment variable' },
  },
  positionals: [{ name: 'target', description: 'what to run', choices: ['a', 'b'] }],
} satisfies CommandSpec;

function usageError(argv: string[]): UsageError {
  try {
    parseCommand(spec, argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no UsageError for ${argv.join(' ')}`);
}

describe('parseCommand', () => {
  it('parses every kind of option, with defaults for those not given', () => {
    const { values, positionals } = parseCommand(spec, [
      'a',
      '--file',
      file,
      '--rows=25',
      '--ids',
      'x, y',
      '--ids',
      'z',
      '--json',
      '--mode',
      'fast',
      '--env',
      'A=1,2',
      '--env=B=x=y',
    ]);
    expect(values).toEqual({
      file,
      rows: 25,
      runs: 10,
      mode: 'fast',
      ids: ['x', 'y', 'z'],
      json: true,
      env: { A: '1,2', B: 'x=y' },
    });
    expect(positionals).toEqual(['a']);
  });

  it('leaves booleans false, lists empty and options without default undefined', () => {
    expect(parseCommand(spec, []).values).toEqual({ runs: 10, ids: [], json: false, env: {} });
  });

  it.each([
    [['--bogus'], /^unknown option --bogus \(valid: --file, --rows, --runs, --mode, --ids, --json, --env\)$/],
    [['--env', 'NOEQUALS'], /^--env must be KEY=VALUE, got "NOEQUALS"$/],
    [['-x'], /^unknown option -x$/],
    [['--rows'], /^--rows needs a value$/],
    [['--rows', '--json'], /^--rows needs a value$/],
    [['--file='], /^--file needs a value$/],
    [['--rows', 'ten'], /^--rows must be a positive integer, got "ten"$/],
    [['--rows', '0'], /^--rows must be a positive integer, got "0"$/],
    [['--rows', '1.5'], /^--rows must be a positive integer, got "1.5"$/],
    [['--file', join(dir, 'missing.csv')], /^--file: no such file: .*missing\.csv$/],
    [['--file', dir], /^--file: .* is a directory, not a file$/],
    [['--mode', 'medium'], /^--mode must be one of fast, slow, got "medium"$/],
    [['--json=yes'], /^--json takes no value$/],
    [['c'], /^unknown target "c" \(valid: a, b\)$/],
    [['a', 'b'], /^unexpected argument "b"$/],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    const error = usageError(argv);
    expect(error.message).toMatch(message);
    expect(error.usage).toBe(formatUsage(spec));
  });

  it('treats everything after -- as positional', () => {
    const variadic = { ...spec, positionals: [{ name: 'x', description: 'x', variadic: true }] };
    expect(parseCommand(variadic, ['--json', '--', '--rows', 'b']).positionals).toEqual(['--rows', 'b']);
  });

  it('asks for help with -h or --help, wherever it appears', () => {
    expect(() => parseCommand(spec, ['--rows', '3', '--help'])).toThrow(HelpRequested);
    expect(() => parseCommand(spec, ['-h'])).toThrow(HelpRequested);
  });

  it('requires a required positional', () => {
    const required = { ...spec, positionals: [{ name: 'function', description: 'f', required: true }] };
    expect(() => parseCommand(required, [])).toThrow('missing <function>');
  });
});

describe('formatUsage', () => {
  it('lists the positionals and every option with its value, default and choices', () => {
    const usage = formatUsage(spec);
    expect(usage.split('\n')[0]).toBe('usage: npm run local -- example [<target>] [options]');
    expect(usage).toContain('--file <path.csv>');
    expect(usage).toMatch(/--runs <n>\s+repetitions \(default 10\)/);
    expect(usage).toMatch(/--mode <string>\s+how \(one of: fast, slow\)/);
    expect(usage).toMatch(/<target>\s+what to run \(one of: a, b\)/);
    expect(usage).toMatch(/-h, --help\s+show this help/);
  });
});

describe('reportError', () => {
  function capture(error: unknown) {
    const out = { stdout: '', stderr: '' };
    const code = reportError(error, {
      stdout: (t) => (out.stdout += t),
      stderr: (t) => (out.stderr += t),
    });
    return { code, ...out };
  }

  it('prints a usage error and its usage on stderr, exit 2', () => {
    const result = capture(new UsageError('unknown option --x', 'usage: x'));
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'error: unknown option --x\n\nusage: x\n' });
  });

  it('prints help on stdout, exit 0', () => {
    expect(capture(new HelpRequested('usage: x'))).toEqual({ code: 0, stdout: 'usage: x\n', stderr: '' });
  });

  it('reports any other failure in one line without a stack trace, exit 1', () => {
    const result = capture(new Error('port in use'));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: port in use\n(set DEBUG=1 to see where it failed)\n');
  });

  it('prints an error that explains itself alone, without the DEBUG pointer', () => {
    const explained = Object.assign(new Error('PostgreSQL could not start: port 5432 is in use'), {
      explained: true,
    });
    expect(capture(explained)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: PostgreSQL could not start: port 5432 is in use\n',
    });
  });
});
