import type { User } from '../users/user.js';

/**
 * How the `users` command shows people: a table or `key: value` lines for a person, JSON for
 * a script (`--json`). The password hash is never shown, in either form.
 */
export interface UserJson {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  roles: string[];
  state: string;
  password_version: number;
  password_changed_at: string;
  created_at: string;
  updated_at: string;
}

export function userJson(user: User): UserJson {
  return {
    id: user.id,
    username: user.username,
    email: user.email ?? null,
    email_verified: user.emailVerified ?? false,
    name: user.name ?? null,
    roles: [...user.roles],
    state: user.state,
    password_version: user.passwordVersion,
    password_changed_at: user.passwordChangedAt.toISOString(),
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export function userTable(users: readonly User[]): string {
  return table(
    ['USERNAME', 'STATE', 'ROLES', 'EMAIL', 'ID'],
    users.map((user) => [
      printable(user.username),
      user.state,
      user.roles.join(',') || '-',
      printable(user.email ?? '-'),
      user.id,
    ]),
  );
}

export function userDetails(user: User): string {
  const json = userJson(user);
  return Object.entries(json)
    .map(([key, value]) => {
      const shown = Array.isArray(value) ? value.join(', ') || '-' : String(value ?? '-');
      return `${`${key}:`.padEnd(21)}${printable(shown)}\n`;
    })
    .join('');
}

/**
 * Names come from people: a control character in one (an escape sequence) must not drive
 * the operator's terminal. Shown as `\u{…}` instead.
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => {
    return `\\u{${character.codePointAt(0)!.toString(16)}}`;
  });
}
