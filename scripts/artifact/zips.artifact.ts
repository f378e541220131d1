import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { repositoryRoot } from '../../functions/shared/assets';
import { declaredAssets, resolveDeclaredAssets } from '../build/assets';
import { codeFiles } from '../build/chunks';
import { discoverFunctions } from '../build/functions';
import { writeReproducibleZip } from '../build/zip';
import { invokeDistHandler } from '../lib/dist-handler';
import { readZip } from '../lib/unzip';
import { useFreshDatabase } from '../testing/stack';
import { distDir } from './support';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** What every zip holds, and that a zip missing a file fails instead of finding it elsewhere. */
describe('dist zips', () => {
  const root = repositoryRoot();
  const functions = discoverFunctions(root);

  it('exist for every function (run `npm run build` first)', () => {
    expect(functions.filter((fn) => !existsSync(join(distDir, `${fn}.zip`)))).toEqual([]);
  });

  it.each(functions)(
    '%s.zip holds its bundle, the chunks it imports, their maps and exactly the declared data files',
    (fn) => {
      const entries = readZip(readFileSync(join(distDir, `${fn}.zip`)));
      const bundle = entries.find((e) => e.name === 'index.mjs')?.data.toString('utf8') ?? '';
      expect(entries.map((e) => e.name)).toEqual(
        [...codeFiles(bundle), ...resolveDeclaredAssets(root, fn, declaredAssets(root, fn))].sort(),
      );
    },
  );

  it('the csv functions carry the lazily loaded Tracer as tracer.mjs', () => {
    for (const fn of ['csv-processor', 'csv-validator']) {
      const names = readZip(readFileSync(join(distDir, `${fn}.zip`))).map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(['tracer.mjs', 'tracer.mjs.map']));
    }
  });

  it('a zip without its declared files fails from an empty directory, with no fallback to the repository', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'artifact-broken-'));
    try {
      const entries = readZip(readFileSync(join(distDir, 'csv-migrate.zip'))).filter((e) =>
        e.name.startsWith('index.'),
      );
      await writeReproducibleZip(join(broken, 'csv-migrate.zip'), entries);
      const url = await useFreshDatabase('artifact_broken');
      const error = await invokeDistHandler(
        'csv-migrate',
        {},
        { DATABASE_URL: url },
        { distDir: broken, onLog: () => undefined },
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'ENOENT',
        message: expect.stringContaining('csv-migrate/migrations'),
      });
      // Nothing was applied: the database has no tables at all.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const tables = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
        expect(tables.rows).toEqual([]);
      } finally {
        await client.end();
      }
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
