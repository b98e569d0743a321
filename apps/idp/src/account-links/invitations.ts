import { randomBytes } from 'node:crypto';
import type { Locale } from '../i18n/locales.js';
import type { AccountMailer } from '../mail/account-mailer.js';
import {
  AccountDisabledError,
  EmailTakenError,
  UsernameTakenError,
  UserNotFoundError,
} from '../users/account-errors.js';
import { checkEmail, checkName, checkRoles, checkUsername } from '../users/account-input.js';
import { normaliseEmail } from '../users/normalise.js';
import { hashPassword } from '../users/password-hash.js';
import type { User, UserRepository } from '../users/user.js';
import { linkUrl, type AccountLinks } from './account-links.js';

export interface InvitationDeps {
  users: UserRepository;
  links: AccountLinks;
  mailer: AccountMailer;
  issuer: string;
  /** Default Argon2id; tests may pass a cheaper one. */
  hashPassword?: (password: string) => Promise<string>;
}

export interface Invitation {
  email: string;
  /** Default: the email address, which is also what the person knows to sign in with. */
  username?: string;
  name?: string;
  roles?: readonly string[];
  /** The language of the mail. Default English. */
  locale?: Locale;
}

/**
 * `users invite EMAIL` (and, later, the admin API): creates the account `pending`, with no
 * usable password (the hash of a random secret nobody keeps, so a login costs the same Argon2
 * work and fails), and mails a single-use link to set one. Setting it activates the account.
 * The link is valid 30 minutes like every account link; `users reset-link` makes a new one.
 * Throws the lifecycle's typed errors (account-errors.ts).
 */
export async function inviteUser(deps: InvitationDeps, invitation: Invitation): Promise<User> {
  checkEmail(invitation.email);
  const email = normaliseEmail(invitation.email);
  const username = invitation.username ?? email;
  checkUsername(username);
  if (invitation.name !== undefined) checkName(invitation.name);
  const roles = checkRoles(invitation.roles ?? []);
  const id = `u_${randomBytes(16).toString('base64url')}`;
  const hash = deps.hashPassword ?? hashPassword;
  const created = await deps.users.createIfAbsent(
    {
      id,
      username,
      email,
      passwordHash: await hash(randomBytes(32).toString('base64url')),
      roles,
      state: 'pending',
      ...(invitation.name !== undefined && { name: invitation.name }),
    },
    { forgetDeletion: true },
  );
  if (!created) {
    if (await deps.users.findByUsername(username)) throw new UsernameTakenError();
    if (await deps.users.findByEmail(email)) throw new EmailTakenError();
    throw new Error('the invited user could not be stored; try again');
  }
  const user = await deps.users.findById(id);
  if (!user) throw new UserNotFoundError();
  const token = await deps.links.issue(user, 'invite');
  deps.mailer.send(
    { kind: 'invitation', username: user.username, link: linkUrl(deps.issuer, 'invite', token) },
    email,
    invitation.locale ?? 'en',
  );
  return user;
}

/**
 * `users reset-link USER`: a new single-use link for an operator to hand over (it replaces
 * every earlier link of the user). A pending user gets an invitation link (set a first
 * password), anyone else a reset link; a disabled user none.
 */
export async function resetLinkFor(
  deps: Pick<InvitationDeps, 'users' | 'links' | 'issuer'>,
  username: string,
): Promise<{ user: User; url: string }> {
  const user = await deps.users.findByUsername(username);
  if (!user) throw new UserNotFoundError();
  if (user.state === 'disabled') throw new AccountDisabledError();
  const purpose = user.state === 'pending' ? 'invite' : 'reset';
  const token = await deps.links.issue(user, purpose);
  return { user, url: linkUrl(deps.issuer, purpose, token) };
}
