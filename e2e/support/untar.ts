import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? length : end).toString('utf8');
}

/**
 * Writes the regular files and folders of a ustar archive held in memory under `dest`.
 * The archives here are a few small libraries; anything else in one (a link, an entry that
 * climbs out of `dest`) means the package changed shape, so it throws rather than guess.
 */
export function untar(archive: Buffer, dest: string): void {
  // Each entry takes at least one header block, so this bounds the loop.
  for (let offset = 0; offset + BLOCK <= archive.length;) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return; // the end-of-archive marker
    const prefix = field(header, 345, 155);
    const name = normalize(
      prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`,
    );
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const mode = Number.parseInt(field(header, 100, 8).trim() || '644', 8) & 0o755;
    const type = field(header, 156, 1);
    if (isAbsolute(name) || name.split('/').includes('..') || !Number.isSafeInteger(size)) {
      throw new Error(`untar: refusing entry ${JSON.stringify(name)}`);
    }
    offset += BLOCK;
    const target = join(dest, name);
    if (type === '5') {
      mkdirSync(target, { recursive: true });
    } else if (type === '0' || type === '') {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, archive.subarray(offset, offset + size), { mode });
    } else {
      throw new Error(
        `untar: entry ${JSON.stringify(name)} has unsupported type ${JSON.stringify(type)}`,
      );
    }
    offset += Math.ceil(size / BLOCK) * BLOCK;
  }
}
