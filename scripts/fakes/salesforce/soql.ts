import { isCompound, OBJECTS, type FieldDef, type ObjectDef } from './schema';

/**
 * The SOQL subset an extractor sends, parsed and checked the way the real query
 * engine does: `SELECT <fields | COUNT()> FROM <object> [WHERE <condition>]
 * [ORDER BY Id [ASC]] [LIMIT n]`, with parent fields (`Owner.Name`), comparisons,
 * IN / NOT IN, LIKE, AND / OR / NOT with parentheses (mixing AND and OR at one level
 * is rejected, as on Salesforce), and typed literals: strings in single quotes, numbers,
 * true/false/null, dates `2024-01-02` and datetimes `2024-01-02T03:04:05Z` (never
 * quoted: a quoted datetime is an INVALID_FIELD error, as on Salesforce).
 *
 * Errors carry the real envelope: `[{message, errorCode}]` with the query, a caret and
 * `ERROR at Row:1:Column:N` in front of the message.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }

  get body(): Array<{ message: string; errorCode: string }> {
    return [{ message: this.message, errorCode: this.errorCode }];
  }
}

type TokenKind = 'ident' | 'string' | 'number' | 'datetime' | 'date' | 'op' | 'punct' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  /** Parsed value for literals (string content, number, epoch ms). */
  value?: string | number;
  pos: number;
}

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number };

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; path: FieldPath; op: string; literal: Literal }
  | { kind: 'in'; path: FieldPath; negated: boolean; literals: Literal[] }
  | { kind: 'like'; path: FieldPath; pattern: RegExp };

/** A selected or filtered field, resolved against the schema. */
export interface FieldPath {
  /** As written in the query, with the describe casing (`Owner.Name`). */
  name: string;
  /** Relationship hops, then the field: [{rel: 'Owner', object: 'User'}], field. */
  hops: Array<{ relationshipName: string; idField: string; objects: string[] }>;
  field: FieldDef;
  /** The object the final field belongs to. */
  object: string;
}

export interface ParsedQuery {
  text: string;
  object: ObjectDef;
  count: boolean;
  fields: FieldPath[];
  where?: Condition;
  limit?: number;
}

/** Parent objects that exist only as lookup targets (their records are not queryable here). */
export const PARENT_ONLY: Record<string, FieldDef[]> = {
  User: [
    { name: 'Id', label: 'User ID', type: 'id' },
    { name: 'Name', label: 'Full Name', type: 'string' },
    { name: 'Email', label: 'Email', type: 'email' },
    { name: 'IsActive', label: 'Active', type: 'boolean' },
  ],
  // The polymorphic `Name` pseudo-object a relationship with several targets resolves to.
  Name: [
    { name: 'Id', label: 'ID', type: 'id' },
    { name: 'Name', label: 'Name', type: 'string' },
    { name: 'Type', label: 'Type', type: 'string' },
  ],
};

const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'ORDER',
  'BY',
  'LIMIT',
  'ASC',
  'DESC',
  'NULLS',
  'FIRST',
  'LAST',
  'OFFSET',
  'GROUP',
  'HAVING',
  'TRUE',
  'FALSE',
  'NULL',
  'COUNT',
]);

// The documented dateTime literal forms only: YYYY-MM-DDThh:mm:ssZ and ±hh:mm offsets, no fractions.
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})(?![\w:.])/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?![\w:T.-])/;

function fieldsOf(object: string): FieldDef[] | undefined {
  return OBJECTS[object]?.fields ?? PARENT_ONLY[object];
}

class Parser {
  private tokens: Token[] = [];
  private i = 0;

  constructor(private readonly text: string) {
    this.tokenize();
  }

  /** The real engine's message prefix: the query, a caret under the problem, its row and column. */
  error(errorCode: string, pos: number, message: string): ApiError {
    const lines = this.text.slice(0, pos).split('\n');
    const row = lines.length;
    const column = lines[lines.length - 1]!.length + 1;
    const line = this.text.split('\n')[row - 1] ?? '';
    return new ApiError(
      400,
      errorCode,
      `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${message}`,
    );
  }

  private tokenize(): void {
    const s = this.text;
    let p = 0;
    while (p < s.length) {
      const c = s[p]!;
      if (/\s/.test(c)) {
        p++;
        continue;
      }
      const rest = s.slice(p);
      if (c === "'") {
        let value = '';
        let q = p + 1;
        for (;;) {
          if (q >= s.length)
            throw this.error(
              'MALFORMED_QUERY',
              p,
              'line 1:' + p + " mismatched character '<EOF>' expecting '''",
            );
          const ch = s[q]!;
          if (ch === '\\') {
            const next = s[q + 1];
            const escapes: Record<string, string> = {
              n: '\n',
              r: '\r',
              t: '\t',
              b: '\b',
              f: '\f',
              '"': '"',
              "'": "'",
              '\\': '\\',
              _: '\\_',
              '%': '\\%',
            };
            if (next === undefined || !(next in escapes))
              throw this.error(
                'MALFORMED_QUERY',
                q,
                `Invalid string literal '${s.slice(p, q + 2)}'. Illegal character sequence '\\${next ?? ''}' in string literal.`,
              );
            value += escapes[next]!;
            q += 2;
            continue;
          }
          if (ch === "'") break;
          value += ch;
          q++;
        }
        this.tokens.push({ kind: 'string', text: s.slice(p, q + 1), value, pos: p });
        p = q + 1;
        continue;
      }
      const dt = DATETIME.exec(rest);
      if (dt) {
        this.tokens.push({ kind: 'datetime', text: dt[0], value: parseDatetime(dt), pos: p });
        p += dt[0].length;
        continue;
      }
      const badDatetime = /^\d{4}-\d{2}-\d{2}T[^\s,)]*/.exec(rest);
      if (badDatetime) throw this.error('MALFORMED_QUERY', p, `unexpected token: '${badDatetime[0]}'`);
      const d = DATE.exec(rest);
      if (d) {
        this.tokens.push({ kind: 'date', text: d[0], value: d[0], pos: p });
        p += d[0].length;
        continue;
      }
      const num = /^-?\d+(\.\d+)?(?![\w.])/.exec(rest);
      if (num) {
        this.tokens.push({ kind: 'number', text: num[0], value: Number(num[0]), pos: p });
        p += num[0].length;
        continue;
      }
      const ident = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*/.exec(rest);
      if (ident) {
        this.tokens.push({ kind: 'ident', text: ident[0], pos: p });
        p += ident[0].length;
        continue;
      }
      const op = /^(<=|>=|!=|<>|=|<|>)/.exec(rest);
      if (op) {
        this.tokens.push({ kind: 'op', text: op[0], pos: p });
        p += op[0].length;
        continue;
      }
      if ('(),'.includes(c)) {
        this.tokens.push({ kind: 'punct', text: c, pos: p });
        p++;
        continue;
      }
      throw this.error('MALFORMED_QUERY', p, `unexpected token: '${c}'`);
    }
    this.tokens.push({ kind: 'end', text: '<EOF>', pos: s.length });
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private expectKeyword(word: string): Token {
    const t = this.next();
    if (!this.isKeyword(t, word)) throw this.unexpected(t);
    return t;
  }

  private expectPunct(p: string): Token {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) throw this.unexpected(t);
    return t;
  }

  unexpected(t: Token): ApiError {
    return this.error('MALFORMED_QUERY', t.pos, `unexpected token: '${t.text}'`);
  }

  parse(): ParsedQuery {
    this.expectKeyword('SELECT');
    const selected: Token[] = [];
    let count = false;
    if (this.isKeyword(this.peek(), 'COUNT') && this.peek(1).text === '(') {
      this.next();
      this.expectPunct('(');
      const inner = this.peek();
      if (inner.kind === 'ident') {
        throw this.error(
          'MALFORMED_QUERY',
          inner.pos,
          'The fake Salesforce org supports COUNT() only, not COUNT(field) aggregate queries',
        );
      }
      this.expectPunct(')');
      count = true;
    } else {
      for (;;) {
        const t = this.next();
        if (t.kind !== 'ident' || KEYWORDS.has(t.text.toUpperCase())) throw this.unexpected(t);
        selected.push(t);
        if (this.peek().text !== ',') break;
        this.next();
      }
    }
    this.expectKeyword('FROM');
    const from = this.next();
    if (from.kind !== 'ident' || from.text.includes('.') || KEYWORDS.has(from.text.toUpperCase()))
      throw this.unexpected(from);
    const object = Object.values(OBJECTS).find((o) => o.name.toLowerCase() === from.text.toLowerCase());
    if (!object) {
      throw this.error(
        'INVALID_TYPE',
        from.pos,
        `sObject type '${from.text}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    const seen = new Set<string>();
    const fields = selected.map((t) => {
      const path = this.resolve(object, t);
      const key = path.name.toLowerCase();
      if (seen.has(key)) throw this.error('MALFORMED_QUERY', t.pos, `duplicate field selected: ${path.name}`);
      seen.add(key);
      return path;
    });
    let where: Condition | undefined;
    if (this.isKeyword(this.peek(), 'WHERE')) {
      this.next();
      where = this.condition(object);
    }
    if (this.isKeyword(this.peek(), 'ORDER')) {
      this.next();
      this.expectKeyword('BY');
      const by = this.next();
      if (by.kind !== 'ident') throw this.unexpected(by);
      const path = this.resolve(object, by);
      if (path.hops.length > 0 || path.field.name !== 'Id') {
        throw this.error(
          'MALFORMED_QUERY',
          by.pos,
          'The fake Salesforce org supports ORDER BY Id only (records are kept in Id order)',
        );
      }
      if (this.isKeyword(this.peek(), 'ASC')) this.next();
    }
    let limit: number | undefined;
    if (this.isKeyword(this.peek(), 'LIMIT')) {
      this.next();
      const n = this.next();
      if (n.kind !== 'number' || !Number.isInteger(n.value) || (n.value as number) < 0)
        throw this.unexpected(n);
      limit = n.value as number;
    }
    const end = this.peek();
    if (end.kind !== 'end') throw this.unexpected(end);
    return { text: this.text, object, count, fields, where, limit };
  }

  private resolve(object: ObjectDef, t: Token): FieldPath {
    const parts = t.text.split('.');
    const hops: FieldPath['hops'] = [];
    let current = object.name;
    let fields = object.fields;
    for (const [n, part] of parts.entries()) {
      const last = n === parts.length - 1;
      if (last) {
        const field = fields.find((f) => f.name.toLowerCase() === part.toLowerCase());
        if (!field) throw this.noSuchColumn(t, part, current);
        return {
          name: [...hops.map((h) => h.relationshipName), field.name].join('.'),
          hops,
          field,
          object: current,
        };
      }
      const lookup = fields.find(
        (f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === part.toLowerCase(),
      );
      if (!lookup) {
        throw this.error(
          'INVALID_FIELD',
          t.pos,
          `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      const targets = lookup.referenceTo ?? [];
      current = targets.length === 1 ? targets[0]! : 'Name';
      hops.push({ relationshipName: lookup.relationshipName!, idField: lookup.name, objects: targets });
      fields = fieldsOf(current) ?? [];
    }
    throw this.unexpected(t);
  }

  private noSuchColumn(t: Token, part: string, entity: string): ApiError {
    return this.error(
      'INVALID_FIELD',
      t.pos,
      `No such column '${part}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }

  private condition(object: ObjectDef): Condition {
    const first = this.unary(object);
    const t = this.peek();
    if (!this.isKeyword(t, 'AND') && !this.isKeyword(t, 'OR')) return first;
    const kind = t.text.toUpperCase() === 'AND' ? 'and' : 'or';
    const items = [first];
    while (this.isKeyword(this.peek(), 'AND') || this.isKeyword(this.peek(), 'OR')) {
      const op = this.next();
      // Salesforce refuses `a AND b OR c` without parentheses.
      if (op.text.toLowerCase() !== kind) throw this.unexpected(op);
      items.push(this.unary(object));
    }
    return { kind, items };
  }

  private unary(object: ObjectDef): Condition {
    const t = this.peek();
    if (this.isKeyword(t, 'NOT')) {
      this.next();
      return { kind: 'not', item: this.unary(object) };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      const inner = this.condition(object);
      this.expectPunct(')');
      return inner;
    }
    return this.predicate(object);
  }

  private predicate(object: ObjectDef): Condition {
    const fieldToken = this.next();
    if (fieldToken.kind !== 'ident' || KEYWORDS.has(fieldToken.text.toUpperCase()))
      throw this.unexpected(fieldToken);
    const path = this.resolve(object, fieldToken);
    if (isCompound(path.field) || path.field.type === 'base64' || path.field.type === 'textarea') {
      throw this.error(
        'INVALID_FIELD',
        fieldToken.pos,
        `field '${path.field.name}' can not be filtered in a query call`,
      );
    }
    const t = this.next();
    if (this.isKeyword(t, 'LIKE')) {
      const lit = this.next();
      if (lit.kind !== 'string') throw this.unexpected(lit);
      return { kind: 'like', path, pattern: likePattern(lit.value as string) };
    }
    let negated = false;
    let inToken = t;
    if (this.isKeyword(t, 'NOT')) {
      negated = true;
      inToken = this.next();
      if (!this.isKeyword(inToken, 'IN')) throw this.unexpected(inToken);
    }
    if (this.isKeyword(inToken, 'IN')) {
      this.expectPunct('(');
      const literals: Literal[] = [];
      for (;;) {
        literals.push(this.literal(path));
        const sep = this.next();
        if (sep.text === ')') break;
        if (sep.text !== ',') throw this.unexpected(sep);
      }
      return { kind: 'in', path, negated, literals };
    }
    if (t.kind !== 'op') throw this.unexpected(t);
    const op = t.text === '<>' ? '!=' : t.text;
    const literal = this.literal(path);
    if (literal.kind === 'null' && op !== '=' && op !== '!=') throw this.unexpected(t);
    return { kind: 'compare', path, op, literal };
  }

  /** A literal, checked against the field's type the way Salesforce checks it. */
  private literal(path: FieldPath): Literal {
    const t = this.next();
    const type = path.field.type;
    const mustBe = (soqlType: string, quotes: boolean) =>
      this.error(
        'INVALID_FIELD',
        t.pos,
        `value of filter criterion for field '${path.field.name}' must be of type ${soqlType} and should ${quotes ? '' : 'not '}be enclosed in quotes`,
      );
    if (this.isKeyword(t, 'NULL')) return { kind: 'null' };
    switch (type) {
      case 'datetime':
        if (t.kind !== 'datetime') throw mustBe('dateTime', false);
        return { kind: 'datetime', value: t.value as number };
      case 'date':
        if (t.kind !== 'date') throw mustBe('date', false);
        return { kind: 'date', value: t.value as string };
      case 'boolean':
        if (this.isKeyword(t, 'TRUE') || this.isKeyword(t, 'FALSE'))
          return { kind: 'boolean', value: t.text.toUpperCase() === 'TRUE' };
        throw mustBe('boolean', false);
      case 'int':
      case 'double':
      case 'currency':
      case 'percent':
        if (t.kind !== 'number') throw mustBe(type === 'int' ? 'int' : 'double', false);
        return { kind: 'number', value: t.value as number };
      default:
        if (t.kind !== 'string') throw mustBe('string', true);
        return { kind: 'string', value: t.value as string };
    }
  }
}

function parseDatetime(m: RegExpExecArray): number {
  const [, y, mo, d, h, mi, s, zone] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(':').map(Number);
    t -= sign * (zh! * 60 + zm!) * 60_000;
  }
  return t;
}

function likePattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      source += pattern[++i] === '%' ? '%' : '_';
    } else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}

export function parseSoql(text: string): ParsedQuery {
  if (!text.trim()) throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  return new Parser(text).parse();
}

/** Checks Bulk API 2.0 adds on top of SOQL (compound fields, COUNT(), base64). */
export function checkBulkQuery(query: ParsedQuery): void {
  if (query.count) {
    throw new ApiError(
      400,
      'INVALIDJOB',
      'Aggregate Relationships not supported in Bulk Query with CSV content type',
    );
  }
  for (const path of query.fields) {
    if (isCompound(path.field)) {
      throw new ApiError(
        400,
        'FUNCTIONALITY_NOT_ENABLED',
        'Selecting compound data not supported in Bulk Query',
      );
    }
    if (path.field.type === 'base64') {
      throw new ApiError(
        400,
        'FUNCTIONALITY_NOT_ENABLED',
        `Selecting base64 fields (${path.name}) not supported in Bulk Query`,
      );
    }
  }
}
