import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReproducibleZip } from './zip';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('writeReproducibleZip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zip-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const entries = [
    { name: 'index.mjs', data: Buffer.from('export const handler = async () => 1;\n') },
    { name: 'csv-processor/sql/upsert.sql', data: Buffer.from('select 1;\n') },
    { name: 'index.mjs.map', data: Buffer.from('{"version":3}') },
  ];

  it('gives identical bytes for the same content, whatever the order and the time', async () => {
    await writeReproducibleZip(join(dir, 'a.zip'), entries);
    await new Promise((r) => setTimeout(r, 1100)); // a different wall-clock second
    await writeReproducibleZip(join(dir, 'b.zip'), [...entries].reverse());
    expect(sha(join(dir, 'b.zip'))).toBe(sha(join(dir, 'a.zip')));
  });

  it('changes when any content changes', async () => {
    await writeReproducibleZip(join(dir, 'c.zip'), [
      ...entries.slice(0, 2),
      { name: 'index.mjs.map', data: Buffer.from('{"version":3,"x":1}') },
    ]);
    expect(sha(join(dir, 'c.zip'))).not.toBe(sha(join(dir, 'a.zip')));
  });

  it('refuses entries that would escape the package', async () => {
    await expect(
      writeReproducibleZip(join(dir, 'd.zip'), [{ name: '../etc/passwd', data: Buffer.from('') }]),
    ).rejects.toThrow(/outside the package/);
    await expect(
      writeReproducibleZip(join(dir, 'e.zip'), [{ name: '/abs/path', data: Buffer.from('') }]),
    ).rejects.toThrow(/outside the package/);
  });

  it('stores the fixed 1980-01-01 timestamp and sorted names', async () => {
    const buf = readFileSync(join(dir, 'a.zip'));
    // Local file headers: signature PK\x03\x04, DOS time at +10, date at +12, name at +30.
    const names: string[] = [];
    for (let at = buf.indexOf('PK\x03\x04'); at >= 0; at = buf.indexOf('PK\x03\x04', at + 4)) {
      expect(buf.readUInt16LE(at + 10)).toBe(0); // 00:00:00
      expect(buf.readUInt16LE(at + 12)).toBe((0 << 9) | (1 << 5) | 1); // 1980-01-01
      const nameLength = buf.readUInt16LE(at + 26);
      const extraLength = buf.readUInt16LE(at + 28);
      names.push(buf.subarray(at + 30, at + 30 + nameLength).toString());
      at += 30 + nameLength + extraLength - 4;
    }
    expect(names).toEqual(['csv-processor/sql/upsert.sql', 'index.mjs', 'index.mjs.map']);
  });
});
