import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config/config.js';
import type { Queryable } from '../db/database.js';
import { inviteCommand, resetLinkCommand } from './link-commands.js';
import { UsernameTakenError } from '../users/account-errors.js';
import type { AccountLifecycle } from '../users/account-lifecycle.js';
import { checkNewPassword } from '../users/password-policy.js';
import { DEFAULT_USER_PAGE, MAX_USER_PAGE, type User, type UserRepository } from '../users/user.js';
import { generatePassword, readNewPassword, type Terminal } from './password-input.js';
import { userJson } from '../users/user-json.js';
import { userDetails, userTable } from './user-output.js';

/** What every `users` subcommand is given (cli/users.ts builds it once per run). */
export interface UsersContext {
  config: Config;
  /** The directory's database (for what lives beside the users table: account links). */
  database: Queryable;
  /** Options as declared by the subcommand, after parsing. */
  options: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  directory: UserRepository;
  accounts: AccountLifecycle;
  terminal: Terminal;
  out(text: string): void;
  err(text: string): void;
}

/** One entry of the dispatch table: adding a subcommand is adding one of these. */
export interface UsersSubcommand {
  /** After `users`: e.g. `disable USER`. */
  usage: string;
  options?: ParseArgsConfig['options'];
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  /**
   * True when it ends sessions (disable, delete, set-password): it then needs the IdP's
   * Redis, since revocations in a store of its own would reach no service.
   */
  endsSessions?: boolean;
  /** The exit code: 0 done, 1 refused or failed (the reason on stderr). */
  run(context: UsersContext): Promise<number>;
}

/** `USER` is a username (any spelling) or, failing that, a user id. */
export async function findUser(context: UsersContext, name: string): Promise<User | null> {
  return (await context.directory.findByUsername(name)) ?? (await context.directory.findById(name));
}

async function withUser(
  context: UsersContext,
  act: (user: User) => Promise<number>,
): Promise<number> {
  const name = context.positionals[0]!;
  const user = await findUser(context, name);
  if (!user) {
    context.err(`users: no user named ${JSON.stringify(name)}\n`);
    return 1;
  }
  return act(user);
}

/** The new password: generated and printed once (`--generate`), or read (stdin or a prompt). */
async function newPassword(
  context: UsersContext,
  identity: { username: string; email?: string },
): Promise<string> {
  if (context.options.generate === true) {
    const password = generatePassword((candidate) => !checkNewPassword(candidate, identity));
    context.out(`generated password: ${password}\n`);
    return password;
  }
  return readNewPassword(context.terminal);
}

const GENERATE = { generate: { type: 'boolean' } } as const;

const list: UsersSubcommand = {
  usage: `list [--search TEXT] [--limit N (1-${MAX_USER_PAGE}, default ${DEFAULT_USER_PAGE})] [--after CURSOR] [--json]`,
  options: {
    search: { type: 'string' },
    limit: { type: 'string' },
    after: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { search, after, json } = context.options as Record<string, string | boolean>;
    const limitText = (context.options.limit as string | undefined) ?? String(DEFAULT_USER_PAGE);
    const limit = Number(limitText);
    if (!/^\d{1,4}$/.test(limitText) || limit < 1 || limit > MAX_USER_PAGE) {
      context.err(`users: --limit must be a whole number from 1 to ${MAX_USER_PAGE}\n`);
      return 2;
    }
    const page = await context.directory.list({
      limit,
      after: typeof after === 'string' ? after : null,
      search: typeof search === 'string' ? search : null,
    });
    if (json === true) {
      context.out(`${JSON.stringify({ users: page.users.map(userJson), next: page.next })}\n`);
      return 0;
    }
    context.out(page.users.length === 0 ? 'no users\n' : userTable(page.users));
    if (page.next !== null) context.out(`more: users list --after ${page.next}\n`);
    return 0;
  },
};

const show: UsersSubcommand = {
  usage: 'show USER [--json]',
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  run: (context) =>
    withUser(context, (user) => {
      context.out(
        context.options.json === true ? `${JSON.stringify(userJson(user))}\n` : userDetails(user),
      );
      return Promise.resolve(0);
    }),
};

const add: UsersSubcommand = {
  usage:
    'add USERNAME [--email EMAIL] [--name NAME] [--role ROLE]... [--generate | --no-password]' +
    '  (password from stdin or a prompt)',
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', multiple: true },
    'no-password': { type: 'boolean' },
    ...GENERATE,
  },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const { email, name, role } = context.options as {
      email?: string;
      name?: string;
      role?: string[];
    };
    if (context.options['no-password'] === true && context.options.generate === true) {
      context.err('users: --generate and --no-password exclude each other\n');
      return 2;
    }
    const username = context.positionals[0]!;
    // Before asking for a password: typing one for a name that is taken wastes the effort.
    // (The insert checks again; this is only the early answer.)
    if (await context.directory.findByUsername(username)) throw new UsernameTakenError();
    const password =
      context.options['no-password'] === true
        ? undefined
        : await newPassword(context, { username, ...(email !== undefined && { email }) });
    const user = await context.accounts.add({
      username,
      roles: role ?? [],
      ...(email !== undefined && { email }),
      ...(name !== undefined && { name }),
      ...(password !== undefined && { password }),
    });
    context.out(`added ${user.username} (${user.id})\n`);
    return 0;
  },
};

const disable: UsersSubcommand = {
  usage: 'disable USER  (signs them out everywhere)',
  positionals: { min: 1, max: 1 },
  endsSessions: true,
  run: (context) =>
    withUser(context, async (user) => {
      await context.accounts.disable(user.id);
      context.out(`disabled ${user.username}; every session ended, every token revoked\n`);
      return 0;
    }),
};

const enable: UsersSubcommand = {
  usage: 'enable USER',
  positionals: { min: 1, max: 1 },
  run: (context) =>
    withUser(context, async (user) => {
      await context.accounts.enable(user.id);
      context.out(`enabled ${user.username}\n`);
      return 0;
    }),
};

const remove: UsersSubcommand = {
  usage: 'delete USER  (signs them out everywhere, then deletes them)',
  positionals: { min: 1, max: 1 },
  endsSessions: true,
  run: (context) =>
    withUser(context, async (user) => {
      await context.accounts.remove(user.id);
      context.out(`deleted ${user.username} (${user.id}); every session ended\n`);
      return 0;
    }),
};

const setPassword: UsersSubcommand = {
  usage: 'set-password USER [--generate]  (password from stdin or a prompt; signs them out)',
  options: GENERATE,
  positionals: { min: 1, max: 1 },
  endsSessions: true,
  run: (context) =>
    withUser(context, async (user) => {
      const password = await newPassword(context, {
        username: user.username,
        ...(user.email !== undefined && { email: user.email }),
      });
      // An operator may set the password of a disabled account (before enabling it).
      await context.accounts.setPassword(user.id, password, { allowDisabled: true });
      context.out(`set the password of ${user.username}; every session ended\n`);
      return 0;
    }),
};

const setRoles: UsersSubcommand = {
  usage: 'set-roles USER ROLE... | set-roles USER --none',
  options: { none: { type: 'boolean' } },
  positionals: { min: 1, max: 33 },
  run: (context) =>
    withUser(context, async (user) => {
      const roles = context.positionals.slice(1);
      // Clearing every role takes saying so: a forgotten argument must not strip them.
      if ((roles.length === 0) === (context.options.none !== true)) {
        context.err('users: give the roles, or --none to remove every role\n');
        return 2;
      }
      await context.accounts.setRoles(user.id, roles);
      context.out(`roles of ${user.username}: ${roles.join(', ') || 'none'}\n`);
      return 0;
    }),
};

const resetMfa: UsersSubcommand = {
  usage: 'reset-mfa USER  (removes every second factor, signs them out everywhere)',
  positionals: { min: 1, max: 1 },
  endsSessions: true,
  run: (context) =>
    withUser(context, async (user) => {
      await context.accounts.resetSecondFactors(user.id);
      context.out(
        `removed every second factor of ${user.username}; every session ended, every token revoked\n`,
      );
      return 0;
    }),
};

/**
 * The dispatch table. `reset-link` and `invite` (mail) are added here as entries of their own.
 */
export const USERS_SUBCOMMANDS: Record<string, UsersSubcommand> = {
  list,
  show,
  add,
  disable,
  enable,
  delete: remove,
  'set-password': setPassword,
  'set-roles': setRoles,
  'reset-link': resetLinkCommand,
  invite: inviteCommand,
  'reset-mfa': resetMfa,
};
