import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AssetError, assetsForBundle, declaredAssets, resolveDeclaredAssets, scanAssetReads } from './assets';

describe('declared assets', () => {
  const root = mkdtempSync(join(tmpdir(), 'assets-test-'));
  const write = (rel: string, text = '') => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  const declare = (fn: string, entries: string[]) =>
    write(`functions/${fn}/assets.ts`, `export const assets = ${JSON.stringify(entries)} as const;\n`);
  beforeAll(() => {
    write('functions/alpha/sql/a.sql');
    write('functions/alpha/sql/b.sql');
    write('functions/alpha/sql/notes.txt');
    write('functions/alpha/asl/flow.asl.json');
    write('functions/alpha/migrations/001_x.sql');
    write(
      'functions/alpha/handler.ts',
      [
        "import { assetPath } from '../shared/assets';",
        "export const a = () => assetPath('alpha/sql/a.sql');",
        'export const any = (name: string) => assetPath(`alpha/sql/${name}`);',
      ].join('\n'),
    );
    write(
      'functions/shared/migrations.ts',
      'export const dir = (set: string) => assetPath(`${set}/migrations`);',
    );
    write('functions/shared/assets.ts', 'export function assetPath(p: string) { return p; }');
    write(
      'functions/beta/handler.ts',
      "import { assetPath } from '../shared/assets';\nconst p = 'x';\nassetPath(p);",
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads the declaration literally, and expands a * in the file name only', () => {
    declare('alpha', ['alpha/sql/*.sql', 'alpha/asl/flow.asl.json']);
    expect(declaredAssets(root, 'alpha')).toEqual(['alpha/sql/*.sql', 'alpha/asl/flow.asl.json']);
    expect(resolveDeclaredAssets(root, 'alpha', declaredAssets(root, 'alpha'))).toEqual([
      'alpha/asl/flow.asl.json',
      'alpha/sql/a.sql',
      'alpha/sql/b.sql',
    ]);
    expect(declaredAssets(root, 'gamma')).toEqual([]);
    expect(() => resolveDeclaredAssets(root, 'alpha', ['alpha/*/a.sql'])).toThrow(
      /allowed in the file name only/,
    );
    expect(() => resolveDeclaredAssets(root, 'alpha', ['../secrets.json'])).toThrow(/not a plain path/);
  });

  it('fails when a declared file is missing or a pattern matches nothing', () => {
    expect(() => resolveDeclaredAssets(root, 'alpha', ['alpha/sql/gone.sql'])).toThrow(
      new AssetError(
        'functions/alpha/assets.ts declares alpha/sql/gone.sql, but functions/alpha/sql/gone.sql does not exist',
      ),
    );
    expect(() => resolveDeclaredAssets(root, 'alpha', ['alpha/sql/*.psql'])).toThrow(/matches no file/);
  });

  it('refuses a declaration that is not an array of string literals', () => {
    write('functions/delta/assets.ts', "const base = 'delta';\nexport const assets = [`${base}/a.sql`];\n");
    expect(() => declaredAssets(root, 'delta')).toThrow(/must be a string literal/);
    write('functions/delta/assets.ts', 'export default [];\n');
    expect(() => declaredAssets(root, 'delta')).toThrow(/must export const assets/);
  });

  it('finds every assetPath() call of the bundle inputs, literal or template, and skips node_modules', () => {
    const reads = scanAssetReads(root, ['functions/alpha/handler.ts', 'node_modules/x/index.js']);
    expect(reads.map((r) => [r.file, r.line, r.text])).toEqual([
      ['functions/alpha/handler.ts', 2, 'alpha/sql/a.sql'],
      ['functions/alpha/handler.ts', 3, '`alpha/sql/${name}`'],
    ]);
    expect(() => scanAssetReads(root, ['functions/beta/handler.ts'])).toThrow(
      /functions\/beta\/handler\.ts:3: assetPath\(\) needs a string or template literal, .*\(got p\)/,
    );
  });

  it('ships exactly the declared files when the bundle reads them all', () => {
    declare('alpha', ['alpha/sql/*.sql']);
    expect(
      assetsForBundle(root, 'alpha', ['functions/alpha/handler.ts', 'functions/shared/assets.ts']),
    ).toEqual(['alpha/sql/a.sql', 'alpha/sql/b.sql']);
    // A template naming a directory is satisfied by the files under it.
    declare('alpha', ['alpha/migrations/*.sql']);
    expect(assetsForBundle(root, 'alpha', ['functions/shared/migrations.ts'])).toEqual([
      'alpha/migrations/001_x.sql',
    ]);
  });

  it('fails on a read nothing declared, and on a declared file nothing reads', () => {
    declare('alpha', []);
    expect(() => assetsForBundle(root, 'alpha', ['functions/alpha/handler.ts'])).toThrow(
      new AssetError(
        [
          'alpha: the zip would not match what the code reads:',
          "  functions/alpha/handler.ts:2 reads assetPath('alpha/sql/a.sql'), which functions/alpha/assets.ts does not declare",
          '  functions/alpha/handler.ts:3 reads assetPath(`alpha/sql/${name}`), which functions/alpha/assets.ts does not declare',
        ].join('\n'),
      ),
    );
    declare('alpha', ['alpha/sql/a.sql', 'alpha/asl/flow.asl.json']);
    expect(() => assetsForBundle(root, 'alpha', ['functions/alpha/handler.ts'])).toThrow(
      /declares alpha\/asl\/flow\.asl\.json, but no code in the alpha bundle reads it/,
    );
  });
});
