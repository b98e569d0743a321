import type { User } from '../users/user.js';
import { userJson } from '../users/user-json.js';

/**
 * How the `users` command shows people: a table or `key: value` lines for a person, JSON for
 * a script (`--json`, users/user-json.ts). The password hash is never shown, in either form.
 */

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
