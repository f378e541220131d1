import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repositoryRoot } from '../../functions/shared/assets';
import { bundleOptions } from '../build/options';
import { floorImports, floorSource, packageOf, type FloorImport } from './cold-start';

describe('cold-start floor', () => {
  it('names the package of an import specifier', () => {
    expect(packageOf('@aws-sdk/client-s3')).toBe('@aws-sdk/client-s3');
    expect(packageOf('@aws-lambda-powertools/parameters/secrets')).toBe('@aws-lambda-powertools/parameters');
    expect(packageOf('zod/mini')).toBe('zod');
    expect(packageOf('pg')).toBe('pg');
  });

  it('repeats default, namespace, named and bare imports and keeps every binding alive', () => {
    const imports: FloorImport[] = [
      { specifier: 'pg', packageName: 'pg', defaultImport: true, namespaceImport: false, named: [] },
      { specifier: 'a', packageName: 'a', defaultImport: false, namespaceImport: true, named: ['x', 'y'] },
      {
        specifier: 'side-effect',
        packageName: 'side-effect',
        defaultImport: false,
        namespaceImport: false,
        named: [],
      },
    ];
    expect(floorSource(imports)).toBe(
      [
        'import __floor0 from "pg";',
        'import * as __floor1 from "a";',
        'import { x as __floor2, y as __floor3 } from "a";',
        'import "side-effect";',
        'globalThis.__coldStartFloor = [__floor0, __floor1, __floor2, __floor3];',
        '',
      ].join('\n'),
    );
  });

  describe('for sync-batch', () => {
    const root = repositoryRoot();
    let imports: FloorImport[];
    let bundled: string[];
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cold-start-test-'));
      const { metafile } = await build({
        ...bundleOptions(root),
        entryPoints: [join('functions', 'sync-batch', 'handler.ts')],
        outfile: join(dir, 'function.mjs'),
        write: false,
      });
      imports = floorImports(root, metafile);
      bundled = Object.keys(metafile.inputs);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('holds the SDK clients and drivers its code imports, not Powertools or zod', () => {
      // DynamoDB: the run ledger's start record (functions/shared/runs-ledger.ts), on every run.
      expect([...new Set(imports.map((i) => i.packageName))].sort()).toEqual([
        '@aws-sdk/client-dynamodb',
        '@aws-sdk/client-s3',
        '@aws-sdk/client-secrets-manager',
        '@aws-sdk/lib-dynamodb',
        '@aws-sdk/lib-storage',
        '@googleapis/youtube',
        'pg',
        'pg-copy-streams',
      ]);
      const s3 = imports.find((i) => i.specifier === '@aws-sdk/client-s3')!;
      expect(s3.named).toEqual(expect.arrayContaining(['S3Client', 'GetObjectCommand', 'PutObjectCommand']));
      // pg is imported as `import pg from 'pg'`; `import type pg` elsewhere adds nothing.
      expect(imports.find((i) => i.specifier === 'pg')).toMatchObject({ defaultImport: true, named: [] });
      expect(imports.find((i) => i.specifier === '@googleapis/youtube')!.named).toEqual(['youtube']);
    });

    it('keeps the Powertools Tracer out of the bundle (the largest start-up cost above its floor)', () => {
      expect(bundled.filter((path) => /aws-xray-sdk|powertools\/tracer/.test(path))).toEqual([]);
      expect(bundled.some((path) => path.includes('@aws-lambda-powertools/logger'))).toBe(true);
    });

    it('bundles with the build options into a module that loads in a fresh process', async () => {
      await build({
        ...bundleOptions(root),
        stdin: { contents: floorSource(imports), resolveDir: root, sourcefile: 'floor.mjs', loader: 'js' },
        outfile: join(dir, 'floor', 'index.mjs'),
      });
      const loaded = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `await import(${JSON.stringify(join(dir, 'floor', 'index.mjs'))}); console.log(globalThis.__coldStartFloor.length)`,
        ],
        { encoding: 'utf8' },
      );
      expect(loaded.stderr).toBe('');
      expect(Number(loaded.stdout)).toBe(
        imports.reduce((n, i) => n + i.named.length + Number(i.defaultImport) + Number(i.namespaceImport), 0),
      );
    });
  });
});
