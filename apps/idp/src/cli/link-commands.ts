import { resetLinkFor, inviteUser } from '../account-links/invitations.js';
import { createAccountLinks } from '../account-links/account-links.js';
import { matchLocale } from '../i18n/locales.js';
import { createLogger } from '../logger.js';
import { createMail } from '../mail/create-mail.js';
import type { UsersContext, UsersSubcommand } from './user-commands.js';

/**
 * `users reset-link USER` and `users invite EMAIL`: the account-links wing's functions
 * (account-links/invitations.ts) for an operator. Links are built on ISSUER, so the command
 * needs the IdP's ISSUER as well as its DATABASE_URL.
 */

const links = (context: UsersContext) =>
  createAccountLinks({ database: context.database, users: context.directory, now: Date.now });

export const resetLinkCommand: UsersSubcommand = {
  usage: 'reset-link USER',
  positionals: { min: 1, max: 1 },
  async run(context) {
    const name = context.positionals[0]!;
    const user =
      (await context.directory.findByUsername(name)) ?? (await context.directory.findById(name));
    if (!user) {
      context.err(`users: no user named ${JSON.stringify(name)}\n`);
      return 1;
    }
    const { url } = await resetLinkFor(
      { users: context.directory, links: links(context), issuer: context.config.issuer },
      user.username,
    );
    // The link alone on stdout, for a script; what it is on stderr, for a person.
    context.err(
      `a single-use link for ${user.username}, valid 30 minutes (earlier links no longer work):\n`,
    );
    context.out(`${url}\n`);
    return 0;
  },
};

export const inviteCommand: UsersSubcommand = {
  usage: 'invite EMAIL [--username NAME] [--name TEXT] [--role ROLE]... [--lang en|zh-CN]',
  options: {
    username: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', multiple: true },
    lang: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const { options } = context;
    const lang = typeof options.lang === 'string' ? matchLocale(options.lang) : 'en';
    if (!lang) {
      context.err('users: --lang must be en or zh-CN\n');
      return 2;
    }
    const failures: string[] = [];
    const logger = createLogger('info', (line) => {
      const entry = JSON.parse(line) as { event?: string; reason?: string };
      if (entry.event === 'mail.failed' || entry.event === 'mail.dropped') {
        failures.push(entry.reason ?? 'unknown');
      }
    });
    // A few quick tries: an operator is waiting, and can always send a new link.
    const { outbox, mailer } = createMail(context.config, logger, {
      outbox: { maxAttempts: 3, baseDelayMs: 1_000 },
    });
    try {
      const user = await inviteUser(
        {
          users: context.directory,
          links: links(context),
          mailer,
          issuer: context.config.issuer,
        },
        {
          email: context.positionals[0]!,
          ...(typeof options.username === 'string' && { username: options.username }),
          ...(typeof options.name === 'string' && { name: options.name }),
          roles: Array.isArray(options.role) ? options.role.map(String) : [],
          locale: lang,
        },
      );
      await outbox.idle();
      if (failures.length > 0) {
        context.err(
          `users: invited ${user.username} (pending), but the mail could not be sent ` +
            `(${failures.join(', ')}; SMTP_URL ${describeSmtp(context.config.mail.smtpUrl)}); ` +
            'hand them a link from `users reset-link` instead\n',
        );
        return 1;
      }
      context.out(`invited ${user.username} (pending until they set a password); mail sent\n`);
      return 0;
    } finally {
      outbox.close();
    }
  },
};

/** Host and port only: the URL may hold a password. */
function describeSmtp(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
