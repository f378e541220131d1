import { createWriteStream } from 'node:fs';
import yazl from 'yazl';

/** 1980-01-01, the earliest time a zip can store: entries carry no build time. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/**
 * Writes a byte-for-byte reproducible zip: entries sorted by name, fixed
 * timestamps and permissions, no directory entries, no absolute paths.
 */
export async function writeReproducibleZip(file: string, entries: ZipEntry[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('/') || entry.name.includes('..')) {
      throw new Error(`Refusing zip entry outside the package: ${entry.name}`);
    }
    zip.addBuffer(entry.data, entry.name, {
      mtime: FIXED_MTIME,
      mode: 0o100644,
      compress: true,
      forceZip64Format: false,
    });
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    zip.outputStream.pipe(out).on('close', resolve).on('error', reject);
    zip.outputStream.on('error', reject);
  });
}
