import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';

/**
 * Reads the zips the build writes (and any plain zip: stored or deflated entries, no zip64, no
 * encryption) without a dependency or an `unzip` binary, which CI images and laptops do not all
 * have. Each entry's CRC-32 is checked, as Lambda's unpacking does.
 */
export interface ZipFileEntry {
  name: string;
  data: Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function readZip(zip: Buffer): ZipFileEntry[] {
  let eocd = -1;
  // The end record is 22 bytes plus a comment of at most 65535 bytes.
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('Not a zip file: no end of central directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error('zip64 archives are not supported');
  const entries: ZipFileEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(offset) !== CENTRAL) throw new Error(`Corrupt zip: bad central header at ${offset}`);
    const flags = zip.readUInt16LE(offset + 8);
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (flags & 1) throw new Error(`${name}: encrypted entries are not supported`);
    if (zip.readUInt32LE(localOffset) !== LOCAL) throw new Error(`Corrupt zip: bad local header for ${name}`);
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(start, start + compressedSize);
    if (name.endsWith('/')) continue;
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`${name}: compression method ${method} is not supported`);
    if (crc32(data) !== crc) throw new Error(`${name}: CRC-32 mismatch, the zip is corrupt`);
    entries.push({ name, data });
  }
  return entries;
}

/** Writes every entry under `dir`; refuses entries that would land outside it. */
export function extractZip(zip: Buffer, dir: string): string[] {
  const entries = readZip(zip);
  for (const entry of entries) {
    const normal = posix.normalize(entry.name);
    if (normal.startsWith('/') || normal.startsWith('..') || entry.name.includes('\\')) {
      throw new Error(`Refusing zip entry outside the target directory: ${entry.name}`);
    }
    const path = join(dir, normal);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, entry.data, { mode: 0o644 });
  }
  return entries.map((e) => e.name);
}
