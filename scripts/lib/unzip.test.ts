import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReproducibleZip } from '../build/zip';
import { extractZip, readZip } from './unzip';

describe('readZip / extractZip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unzip-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what the build writes, byte for byte, and extracts it under the directory', async () => {
    const big = Buffer.from('SELECT 1;\n'.repeat(10_000));
    await writeReproducibleZip(join(dir, 'a.zip'), [
      { name: 'index.mjs', data: Buffer.from('export const handler = () => 1;') },
      { name: 'fn/sql/big.sql', data: big },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ]);
    const zip = readFileSync(join(dir, 'a.zip'));
    expect(readZip(zip).map((e) => [e.name, e.data.length])).toEqual([
      ['empty.txt', 0],
      ['fn/sql/big.sql', big.length],
      ['index.mjs', 31],
    ]);
    const out = join(dir, 'out');
    expect(extractZip(zip, out)).toHaveLength(3);
    expect(readFileSync(join(out, 'fn/sql/big.sql')).equals(big)).toBe(true);
  });

  it('detects corruption through the CRC-32 and refuses what is not a zip', async () => {
    await writeReproducibleZip(join(dir, 'b.zip'), [{ name: 'x.txt', data: Buffer.from('hello') }]);
    const zip = readFileSync(join(dir, 'b.zip'));
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(zip.readUInt32LE(central + 16) ^ 1, central + 16);
    expect(() => readZip(zip)).toThrow('x.txt: CRC-32 mismatch, the zip is corrupt');
    expect(() => readZip(Buffer.from('not a zip at all, just some text long enough'))).toThrow(
      'Not a zip file: no end of central directory record',
    );
  });
});
