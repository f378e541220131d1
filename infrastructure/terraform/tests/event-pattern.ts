/**
 * Just enough of Terraform and EventBridge to test event rules without either: an
 * evaluator for the expressions rules are written with (string templates, object and
 * tuple literals, jsonencode, merge, var.* and local.* references with attribute access,
 * and `a == b ? x : y` / `!=`, which evaluates only the branch taken) and a matcher with
 * EventBridge's event-pattern semantics (exact values, prefix, suffix, wildcard,
 * exists, anything-but, equals-ignore-case; arrays match when any element matches).
 * Anything else raises an error that names it, so a rule written another way fails the
 * test loudly instead of passing by accident.
 */
import type { HclValue, TfModule } from './hcl';

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export interface Scope {
  vars: Record<string, Value>;
  /** The module's locals as hcl2json gives them (templates unevaluated). */
  locals: Record<string, HclValue>;
}

/** Locals of every file of a module, by name. */
export function moduleLocals(mod: TfModule): Record<string, HclValue> {
  const out: Record<string, HclValue> = {};
  for (const parsed of Object.values(mod.files)) {
    const blocks = parsed['locals'];
    for (const block of Array.isArray(blocks) ? blocks : blocks ? [blocks] : []) {
      if (block && typeof block === 'object' && !Array.isArray(block)) Object.assign(out, block);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

/** Index of the `}` closing a `${` whose body starts at `start`, skipping strings and nested braces. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new Error(`unterminated interpolation in ${JSON.stringify(text)}`);
}

/**
 * An object attribute that could not be evaluated (a reference this file does not know, such
 * as module.key.arn, or a variable the test gives no value): kept so that the attributes that
 * can be evaluated still are (settings.environment of a merged settings object), and raised
 * as soon as anything uses it.
 */
const UNAVAILABLE = '\u0000unavailable';

function unavailable(error: unknown): Value {
  return { [UNAVAILABLE]: error instanceof Error ? error.message : String(error) };
}

/** `value`, or the error of the first unavailable attribute it holds. */
function available(value: Value): Value {
  if (Array.isArray(value)) value.forEach(available);
  else if (isPlainObject(value)) {
    if (UNAVAILABLE in value) throw new Error(String(value[UNAVAILABLE]));
    Object.values(value).forEach(available);
  }
  return value;
}

/** Evaluates one attribute of an object: an error is kept for whoever uses the attribute. */
function attributeValue(evaluateIt: () => Value): Value {
  try {
    return evaluateIt();
  } catch (e) {
    return unavailable(e);
  }
}

function stringify(value: Value): string {
  available(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`cannot interpolate ${JSON.stringify(value)} into a string`);
}

/** A decoded template string: "${expr}" alone yields the expression's value, otherwise a string. */
export function renderTemplate(text: string, scope: Scope): Value {
  const whole = /^\$\{/.test(text) && closingBrace(text, 2) === text.length - 1;
  if (whole) return evaluate(text.slice(2, -1), scope);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 2;
    } else if (text.startsWith('${', i)) {
      const end = closingBrace(text, i + 2);
      out += stringify(evaluate(text.slice(i + 2, end), scope));
      i = end;
    } else out += text[i];
  }
  return out;
}

/** An hcl2json value (a local's, an attribute's) evaluated in `scope`. */
export function resolve(value: HclValue, scope: Scope): Value {
  if (typeof value === 'string') return renderTemplate(value, scope);
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, attributeValue(() => resolve(v, scope))]),
    );
  }
  return value;
}

type Token = { kind: 'punct' | 'string' | 'number' | 'ident'; text: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < src.length;) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) i++;
    else if ((c === '=' || c === '!') && src[i + 1] === '=') {
      tokens.push({ kind: 'punct', text: `${c}=` });
      i += 2;
    } else if ('{}[]()=:,?'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let raw = '';
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\') {
          const e = src[++j];
          raw += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
        } else if (src.startsWith('${', j)) {
          const end = closingBrace(src, j + 2);
          raw += src.slice(j, end + 1);
          j = end;
        } else raw += src[j];
      }
      tokens.push({ kind: 'string', text: raw });
      i = j + 1;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      if (!m) throw new Error(`unexpected "${c}" in ${src}`);
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*/.exec(src.slice(i));
      if (!m) throw new Error(`unsupported syntax at "${src.slice(i, i + 20)}" in ${src}`);
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

/** `value` at `path` (attribute names); a missing attribute is an error that names the expression. */
function attribute(value: Value, path: string[], expr: string): Value {
  let current = value;
  for (const step of [...path, '']) {
    if (isPlainObject(current) && UNAVAILABLE in current) throw new Error(String(current[UNAVAILABLE]));
    if (step === '') break;
    if (!isPlainObject(current) || !(step in current)) throw new Error(`${expr} has no value in this test`);
    current = current[step] ?? null;
  }
  return current;
}

/**
 * Evaluates one expression: literals, object/tuple constructors, var.* and local.* (with
 * attribute access), jsonencode(), and `a == b ? x : y` (or `!=`). As in Terraform, the
 * branch not taken may refer to what is null (`var.x == null ? {} : { y = var.x.y }`): it is
 * parsed, not evaluated.
 */
export function evaluate(src: string, scope: Scope): Value {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const expect = (text: string): void => {
    const t = tokens[pos++];
    if (t?.text !== text) throw new Error(`expected "${text}" but found "${t?.text ?? 'end'}" in ${src}`);
  };

  // `live` false: the branch a conditional does not take, parsed but not evaluated (null).
  const primary = (live: boolean): Value => {
    const t = tokens[pos++];
    if (!t) throw new Error(`unexpected end of ${src}`);
    if (t.kind === 'string') return live ? renderTemplate(t.text, scope) : null;
    if (t.kind === 'number') return Number(t.text);
    if (t.text === '[') {
      const items: Value[] = [];
      while (peek()?.text !== ']') {
        items.push(value(live));
        if (peek()?.text === ',') pos++;
      }
      pos++;
      return items;
    }
    if (t.text === '{') {
      const obj: Record<string, Value> = {};
      while (peek()?.text !== '}') {
        const key = tokens[pos++];
        if (!key || (key.kind !== 'ident' && key.kind !== 'string'))
          throw new Error(`bad object key in ${src}`);
        const sep = tokens[pos++];
        if (sep?.text !== '=' && sep?.text !== ':') throw new Error(`expected = after ${key.text} in ${src}`);
        obj[key.text] = live ? attributeValue(() => value(true)) : value(false);
        if (peek()?.text === ',') pos++;
      }
      pos++;
      return obj;
    }
    if (t.kind === 'ident') {
      if (t.text === 'true' || t.text === 'false') return t.text === 'true';
      if (t.text === 'null') return null;
      if (t.text === 'jsonencode') {
        expect('(');
        const inner = value(live);
        expect(')');
        return live ? JSON.stringify(available(inner)) : null;
      }
      if (t.text === 'merge') {
        expect('(');
        const parts: Value[] = [];
        while (peek()?.text !== ')') {
          parts.push(value(live));
          if (peek()?.text === ',') pos++;
        }
        pos++;
        if (!live) return null;
        return Object.assign(
          {},
          ...parts.map((part) => {
            if (!isPlainObject(part) || UNAVAILABLE in part)
              throw new Error(`merge of a non-object in ${src}`);
            return part;
          }),
        ) as Value;
      }
      const [root, name, ...rest] = t.text.split('.');
      if (name !== undefined && root === 'var') {
        if (!live) return null;
        if (!(name in scope.vars)) throw new Error(`var.${name} has no value in this test`);
        return attribute(scope.vars[name] ?? null, rest, t.text);
      }
      if (name !== undefined && root === 'local') {
        const raw = scope.locals[name];
        if (raw === undefined) throw new Error(`local.${name} is not defined`);
        return live ? attribute(resolve(raw, scope), rest, t.text) : null;
      }
    }
    throw new Error(`unsupported expression "${t.text}" in ${src}`);
  };

  const value = (live: boolean): Value => {
    const left = primary(live);
    const op = peek()?.text;
    if (op !== '==' && op !== '!=') return left;
    pos++;
    const right = primary(live);
    const equal = JSON.stringify(left) === JSON.stringify(right);
    expect('?');
    const whenTrue = op === '==' ? equal : !equal;
    const yes = value(live && whenTrue);
    expect(':');
    const no = value(live && !whenTrue);
    return whenTrue ? yes : no;
  };

  const result = value(true);
  if (pos !== tokens.length) throw new Error(`unsupported expression ${src}`);
  return result;
}

// ---------------------------------------------------------------------------
// Event patterns
// ---------------------------------------------------------------------------

function isPlainObject(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function wildcardRegex(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** One element of a pattern array against one scalar event value. */
function matchesElement(element: Value, actual: Value | undefined): boolean {
  if (!isPlainObject(element)) return actual !== undefined && element === actual;
  const [op, arg] = Object.entries(element)[0] ?? [];
  const text = typeof actual === 'string' ? actual : undefined;
  switch (op) {
    case 'prefix':
      return text !== undefined && typeof arg === 'string' && text.startsWith(arg);
    case 'suffix':
      return text !== undefined && typeof arg === 'string' && text.endsWith(arg);
    case 'wildcard':
      return text !== undefined && typeof arg === 'string' && wildcardRegex(arg).test(text);
    case 'equals-ignore-case':
      return text !== undefined && typeof arg === 'string' && text.toLowerCase() === arg.toLowerCase();
    case 'exists':
      return arg === (actual !== undefined);
    case 'anything-but': {
      if (actual === undefined) return false;
      const excluded = Array.isArray(arg) ? arg : [arg ?? null];
      return !excluded.some((x) => x === actual);
    }
    default:
      throw new Error(`unsupported event pattern operator ${JSON.stringify(element)}`);
  }
}

/** EventBridge semantics: every pattern field must match; an array matches when any element does. */
export function matchesPattern(pattern: Value, event: Value | undefined): boolean {
  if (!isPlainObject(pattern))
    throw new Error(`an event pattern is an object, not ${JSON.stringify(pattern)}`);
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = isPlainObject(event) ? event[key] : undefined;
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return expected.some((el) => values.some((v) => matchesElement(el, v)));
    }
    if (isPlainObject(expected)) return matchesPattern(expected, actual);
    throw new Error(`pattern field ${key} must be an array or an object, not ${JSON.stringify(expected)}`);
  });
}

/**
 * The event EventBridge builds from one PutEvents entry. An entry without Detail is
 * refused (FailedEntryCount 1) and never becomes an event: null.
 */
export function eventFromEntry(entry: { Source: string; DetailType: string; Detail?: string }): Value | null {
  if (entry.Detail === undefined) return null;
  return { source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) as Value };
}
