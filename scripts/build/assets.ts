import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

/**
 * What a zip carries besides its bundle. Each function declares the data files it reads in
 * functions/<fn>/assets.ts:
 *
 *   export const assets = ['csv-processor/sql/apply-batch.sql', 'sync-batch/sql/*.sql'];
 *
 * (paths under functions/, the same paths assetPath() takes; `*` only in the file name). The
 * build ships exactly those files and refuses to build when a declared file is missing, when code
 * in the bundle calls assetPath() with a path no declared file satisfies, or when a declared file
 * is read by nothing in the bundle. The check runs on the bundle's own inputs, so a file read by
 * code another function bundles never leaks into this zip.
 */
export const DECLARATION_FILE = 'assets.ts';

export class AssetError extends Error {
  override name = 'AssetError';
}

/** The `assets` array literal of functions/<fn>/assets.ts; [] when the function has no such file. */
export function declaredAssets(root: string, fn: string): string[] {
  const file = join(root, 'functions', fn, DECLARATION_FILE);
  if (!existsSync(file)) return [];
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    for (const decl of statement.declarationList.declarations) {
      if (!exported || !ts.isIdentifier(decl.name) || decl.name.text !== 'assets' || !decl.initializer)
        continue;
      let init: ts.Expression = decl.initializer;
      while (
        ts.isAsExpression(init) ||
        ts.isSatisfiesExpression(init) ||
        ts.isParenthesizedExpression(init)
      ) {
        init = init.expression;
      }
      if (!ts.isArrayLiteralExpression(init)) break;
      return init.elements.map((element) => {
        if (!ts.isStringLiteralLike(element)) {
          throw new AssetError(
            `functions/${fn}/${DECLARATION_FILE}: every entry of assets must be a string literal`,
          );
        }
        return element.text;
      });
    }
  }
  throw new AssetError(
    `functions/${fn}/${DECLARATION_FILE} must export const assets = ['<path under functions/>', …]`,
  );
}

function listFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile()) : [];
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('[^/]*')}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Expands the declaration to the files it names (sorted, paths under functions/); throws on a missing one. */
export function resolveDeclaredAssets(root: string, fn: string, declared: string[]): string[] {
  const files = new Set<string>();
  for (const entry of declared) {
    const normal = posix.normalize(entry);
    if (entry.startsWith('/') || normal.startsWith('..') || normal !== entry) {
      throw new AssetError(
        `functions/${fn}/${DECLARATION_FILE}: ${entry} is not a plain path under functions/`,
      );
    }
    const dir = posix.dirname(entry);
    if (dir.includes('*')) {
      throw new AssetError(
        `functions/${fn}/${DECLARATION_FILE}: ${entry}: '*' is allowed in the file name only`,
      );
    }
    if (entry.includes('*')) {
      const re = globToRegExp(posix.basename(entry));
      const matches = listFiles(join(root, 'functions', dir)).filter((name) => re.test(name));
      if (!matches.length) {
        throw new AssetError(
          `functions/${fn}/${DECLARATION_FILE}: ${entry} matches no file under functions/`,
        );
      }
      for (const name of matches) files.add(`${dir}/${name}`);
    } else {
      const path = join(root, 'functions', entry);
      if (!existsSync(path) || !statSync(path).isFile()) {
        throw new AssetError(
          `functions/${fn}/${DECLARATION_FILE} declares ${entry}, but functions/${entry} does not exist`,
        );
      }
      files.add(entry);
    }
  }
  return [...files].sort();
}

export interface AssetRead {
  /** Source file under the repository, and 1-based line. */
  file: string;
  line: number;
  /** The argument as written, e.g. 'csv-processor/sql/apply-batch.sql' or `sync-batch/sql/${name}`. */
  text: string;
  /** Matches every path the call can ask for; a match on a directory means any file under it. */
  pattern: RegExp;
}

/**
 * Every assetPath(...) call in the bundle's own sources (inputs under functions/). The argument
 * must be a string literal or a template literal; a template's substitutions match any text. Any
 * other argument is refused: the build could not tell what the bundle reads.
 */
export function scanAssetReads(root: string, bundledInputs: string[]): AssetRead[] {
  const reads: AssetRead[] = [];
  for (const input of bundledInputs) {
    if (!/^functions\/.*\.ts$/.test(input) || input === 'functions/shared/assets.ts') continue;
    const text = readFileSync(join(root, input), 'utf8');
    if (!text.includes('assetPath')) continue;
    const source = ts.createSourceFile(input, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && isAssetPathCallee(node.expression)) {
        const [arg] = node.arguments;
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        if (arg && ts.isStringLiteralLike(arg)) {
          reads.push({
            file: input,
            line,
            text: arg.text,
            pattern: new RegExp(`^${escapeRegExp(arg.text)}$`),
          });
        } else if (arg && ts.isTemplateExpression(arg)) {
          const parts = [arg.head.text, ...arg.templateSpans.map((span) => span.literal.text)];
          reads.push({
            file: input,
            line,
            text: arg.getText(source),
            pattern: new RegExp(`^${parts.map(escapeRegExp).join('.+')}$`),
          });
        } else {
          throw new AssetError(
            `${input}:${line}: assetPath() needs a string or template literal, so the build can check ` +
              `that the zip ships what it reads (got ${arg ? arg.getText(source) : 'no argument'})`,
          );
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return reads;
}

function isAssetPathCallee(callee: ts.Expression): boolean {
  return (
    (ts.isIdentifier(callee) && callee.text === 'assetPath') ||
    (ts.isPropertyAccessExpression(callee) && callee.name.text === 'assetPath')
  );
}

/** A read is satisfied by a shipped file it names, or by any shipped file under a directory it names. */
function satisfies(read: AssetRead, file: string): boolean {
  if (read.pattern.test(file)) return true;
  const parts = file.split('/');
  return parts.slice(1).some((_, i) => read.pattern.test(parts.slice(0, i + 1).join('/')));
}

/**
 * Compares what the bundle reads with what the function declares. Throws one error listing every
 * undeclared read and every declared file nothing reads.
 */
export function checkAssets(fn: string, reads: AssetRead[], shipped: string[]): void {
  const problems: string[] = [];
  for (const read of reads) {
    if (!shipped.some((file) => satisfies(read, file))) {
      problems.push(
        `${read.file}:${read.line} reads assetPath(${quoteIfLiteral(read.text)}), which functions/${fn}/${DECLARATION_FILE} does not declare`,
      );
    }
  }
  for (const file of shipped) {
    if (!reads.some((read) => satisfies(read, file))) {
      problems.push(
        `functions/${fn}/${DECLARATION_FILE} declares ${file}, but no code in the ${fn} bundle reads it`,
      );
    }
  }
  if (problems.length)
    throw new AssetError(`${fn}: the zip would not match what the code reads:\n  ${problems.join('\n  ')}`);
}

function quoteIfLiteral(text: string): string {
  return text.startsWith('`') ? text : `'${text}'`;
}

/** The data files to put in `fn`'s zip, checked against the bundle's inputs (esbuild metafile keys). */
export function assetsForBundle(root: string, fn: string, bundledInputs: string[]): string[] {
  const shipped = resolveDeclaredAssets(root, fn, declaredAssets(root, fn));
  checkAssets(fn, scanAssetReads(root, bundledInputs), shipped);
  return shipped;
}
