import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discoverFunctions } from './functions';

describe('function discovery', () => {
  const root = mkdtempSync(join(tmpdir(), 'functions-test-'));
  const touch = (rel: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), '');
  };
  beforeAll(() => {
    touch('functions/shared/db.ts');
    touch('functions/alpha/handler.ts');
    touch('functions/alpha/sql/schema.sql');
    touch('functions/beta/handler.ts');
    touch('functions/notes/readme.txt');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds every folder with a handler, and only those', () => {
    expect(discoverFunctions(root)).toEqual(['alpha', 'beta']);
  });
});
