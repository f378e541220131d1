import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dataFilesFor, discoverFunctions } from './functions';

describe('function discovery and data files', () => {
  const root = mkdtempSync(join(tmpdir(), 'functions-test-'));
  const touch = (rel: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), '');
  };
  beforeAll(() => {
    touch('functions/shared/db.ts');
    touch('functions/alpha/handler.ts');
    touch('functions/alpha/sql/schema.sql');
    touch('functions/alpha/asl/flow.asl.json');
    touch('functions/alpha/events/example.json');
    touch('functions/alpha/__fixtures__/bad.sql');
    touch('functions/alpha/logic.test.ts');
    touch('functions/beta/handler.ts');
    touch('functions/beta/sql/other.sql');
    touch('functions/notes/readme.txt');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds every folder with a handler, and only those', () => {
    expect(discoverFunctions(root)).toEqual(['alpha', 'beta']);
  });

  it('ships the SQL and ASL of the folders a bundle uses, not fixtures or events', () => {
    expect(
      dataFilesFor(root, [
        'functions/alpha/handler.ts',
        'functions/shared/db.ts',
        'node_modules/pg/index.js',
      ]),
    ).toEqual(['alpha/asl/flow.asl.json', 'alpha/sql/schema.sql']);
    expect(dataFilesFor(root, ['functions/beta/handler.ts', 'functions/alpha/logic.ts'])).toEqual([
      'alpha/asl/flow.asl.json',
      'alpha/sql/schema.sql',
      'beta/sql/other.sql',
    ]);
  });
});
