import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../../functions/shared/assets';
import { readZip } from '../lib/unzip';
import { declaredAssets, resolveDeclaredAssets } from './assets';
import { buildFunction } from './function-zip';

/** csv-processor: a function with a lazy chunk (the Tracer) and a declared data file. */
describe('buildFunction', () => {
  const root = repositoryRoot();
  const dir = mkdtempSync(join(tmpdir(), 'function-zip-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const buildInto = (name: string) =>
    buildFunction(root, 'csv-processor', { distDir: join(dir, name), workDir: join(dir, `${name}-work`) });

  it('zips index.mjs, tracer.mjs, both maps and the declared files, byte for byte the same every build', async () => {
    const first = await buildInto('a');
    const second = await buildInto('b');
    const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(sha(second.zipPath)).toBe(sha(first.zipPath));

    const entries = readZip(readFileSync(first.zipPath));
    expect(entries.map((e) => e.name)).toEqual(
      [
        'index.mjs',
        'index.mjs.map',
        'tracer.mjs',
        'tracer.mjs.map',
        ...resolveDeclaredAssets(root, 'csv-processor', declaredAssets(root, 'csv-processor')),
      ].sort(),
    );
    const text = (name: string) => entries.find((e) => e.name === name)!.data.toString('utf8');
    expect(text('index.mjs')).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\n$/);
    expect(text('tracer.mjs')).toMatch(/\/\/# sourceMappingURL=tracer\.mjs\.map\n$/);
    expect(JSON.parse(text('tracer.mjs.map'))).toMatchObject({
      version: 3,
      sources: expect.arrayContaining([expect.stringContaining('@aws-lambda-powertools/tracer/')]),
    });
    expect(first.bundleBytes).toBe(entries.find((e) => e.name === 'index.mjs')!.data.length);
  }, 120_000);
});
