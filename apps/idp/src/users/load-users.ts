import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hashPassword, isArgon2idHash } from './password-hash.js';
import { normaliseUsername } from './normalise.js';
import type { NewUser, SeedImportOutcome, UserRepository } from './user.js';

/** USERS_FILE cannot be used; `problems` holds one line per bad entry. */
export class UsersFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'UsersFileError';
  }
}

export async function loadUsersFile(
  path: string,
  options: { production: boolean },
): Promise<NewUser[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsersFileError([`USERS_FILE: cannot read ${path}`]);
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw new UsersFileError([`USERS_FILE: ${path} is not valid JSON`]);
  }
  return parseUsers(entries, options);
}

/**
 * Validates the seed users. Each entry: `username`, `password` (plain, hashed here; refused
 * in production, where a file of plain passwords must not exist) or `password_hash` (an
 * Argon2id PHC string), `roles`, optional `id` (the `sub`), `name`, `email`,
 * `email_verified`. Problems never quote a password or a hash.
 */
export async function parseUsers(
  entries: unknown,
  options: { production: boolean },
): Promise<NewUser[]> {
  if (!Array.isArray(entries)) throw new UsersFileError(['USERS_FILE: must hold a JSON array']);
  const problems: string[] = [];
  const users: Array<Omit<NewUser, 'passwordHash'> & { password: string; hashed: boolean }> = [];
  const seenNames = new Set<string>();
  const seenIds = new Set<string>();
  entries.forEach((entry: unknown, index) => {
    const at = `USERS_FILE: user #${index}`;
    const problem = (text: string) => problems.push(`${at}: ${text}`);
    if (typeof entry !== 'object' || entry === null) return problem('must be an object');
    const raw = entry as Record<string, unknown>;

    const username = raw.username;
    if (typeof username !== 'string' || !/^[\p{L}\p{N}._@+-]{1,64}$/u.test(username)) {
      return problem('username must be 1-64 letters, digits or . _ @ + -');
    }
    const normalised = normaliseUsername(username);
    if (seenNames.has(normalised)) return problem(`username "${username}" is listed twice`);
    seenNames.add(normalised);

    const id = raw.id ?? deriveUserId(normalised);
    if (typeof id !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(id)) {
      return problem('id must be 1-128 characters of A-Z a-z 0-9 . _ : -');
    }
    if (seenIds.has(id)) return problem(`id "${id}" is used twice`);
    seenIds.add(id);

    let password: string;
    let hashed: boolean;
    if (typeof raw.password_hash === 'string') {
      if (!isArgon2idHash(raw.password_hash)) {
        return problem('password_hash must be an Argon2id PHC string ($argon2id$v=19$...)');
      }
      password = raw.password_hash;
      hashed = true;
    } else if (typeof raw.password === 'string') {
      if (options.production) {
        return problem('plain password refused in production; give password_hash (Argon2id)');
      }
      if (raw.password.length < 8) return problem('password must be at least 8 characters');
      password = raw.password;
      hashed = false;
    } else {
      return problem('needs password_hash (or, outside production, password)');
    }

    const roles = raw.roles ?? [];
    if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
      return problem('roles must be an array of strings');
    }
    if (raw.name !== undefined && typeof raw.name !== 'string') problem('name must be a string');
    if (
      raw.email !== undefined &&
      (typeof raw.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(raw.email))
    ) {
      problem('email must be an email address');
    }
    if (raw.email_verified !== undefined && typeof raw.email_verified !== 'boolean') {
      problem('email_verified must be true or false');
    }
    users.push({
      id,
      username,
      password,
      hashed,
      roles,
      ...(typeof raw.name === 'string' && { name: raw.name }),
      ...(typeof raw.email === 'string' && { email: raw.email }),
      ...(typeof raw.email_verified === 'boolean' && { emailVerified: raw.email_verified }),
    });
  });
  if (problems.length > 0) throw new UsersFileError(problems);

  return Promise.all(
    users.map(async ({ password, hashed, ...user }) => ({
      ...user,
      passwordHash: hashed ? password : await hashPassword(password),
    })),
  );
}

/**
 * A `sub` for a user listed without `id`: stable across restarts and instances (derived from
 * the username, never random), opaque (no username in tokens). Renaming such a user changes
 * their `sub`; give an explicit `id` to keep it.
 */
export function deriveUserId(normalisedUsername: string): string {
  const digest = createHash('sha256').update(`latchkey-user:${normalisedUsername}`).digest();
  return `u_${digest.subarray(0, 16).toString('base64url')}`;
}

/** Where the import warns (the IdP's logger; the directory does not depend on the logger). */
export interface SeedImportLogger {
  warn(event: string, fields: Record<string, string>): void;
}

/**
 * Imports the seed users into the directory: creates those missing, and leaves alone every
 * user who exists (by id, username or email), so a password or state changed since (a reset,
 * a disable) survives every restart. A user an operator deleted (admin API, `users delete`)
 * stays deleted: the file never brings them back, and each start names them in a warning so
 * that the file and the directory differing is never silent (as clients/import-clients.ts
 * does for CLIENTS_FILE). Returns how many were created.
 */
export async function importUsers(
  repository: UserRepository,
  users: readonly NewUser[],
  logger?: SeedImportLogger,
): Promise<number> {
  let created = 0;
  for (const user of users) {
    const outcome: SeedImportOutcome = repository.importSeed
      ? await repository.importSeed(user)
      : (await repository.createIfAbsent(user))
        ? 'created'
        : 'exists';
    if (outcome === 'created') created += 1;
    if (outcome === 'kept_deleted') {
      logger?.warn('users.file_entry_ignored', {
        user: normaliseUsername(user.username),
        sub: user.id,
        detail: 'deleted by an operator: it stays deleted; remove it from USERS_FILE',
      });
    }
  }
  return created;
}
