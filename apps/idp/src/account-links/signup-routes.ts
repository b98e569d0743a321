import { randomBytes } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { addressBucket } from '../http/client-address.js';
import type { Locale } from '../i18n/locales.js';
import { describeWait } from '../i18n/wait.js';
import { readForm } from '../oauth/form-body.js';
import { normaliseEmail, normaliseUsername } from '../users/normalise.js';
import { hashPassword } from '../users/password-hash.js';
import {
  checkNewPassword,
  MIN_PASSWORD_LENGTH,
  RECOMMENDED_PASSWORD_LENGTH,
} from '../users/password-policy.js';
import { signupPage } from '../views/account-pages.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import {
  formLocale,
  sendForeignOrigin,
  sendMessage,
  type AccountLinkDeps,
} from './account-link-deps.js';
import { linkUrl } from './account-links.js';
import { isEmailAddress, MAX_EMAIL_LENGTH } from './email-address.js';
import { dropExpiredSignups, signupExpiresAt } from './expired-signups.js';
import { passwordProblemMessage } from '../views/password-problem-message.js';

/** As USERS_FILE and the `users` command accept them: letters, digits and `. _ @ + -`. */
const USERNAME = /^[\p{L}\p{N}._@+-]{1,64}$/u;
const FORM_LIMITS = { maxBytes: 1024 * 1024, maxValueLength: 256 * 1024 };

type FormError = (t: ReturnType<typeof pageFrame>['t']) => string;

/** GET /signup (only with SELF_REGISTRATION=true; otherwise the route does not exist). */
export function showSignupRoute(deps: AccountLinkDeps): Middleware {
  return (ctx) => renderForm(ctx, deps, formLocale(ctx, undefined), 200, {});
}

/**
 * POST /signup (fields `username`, `email`, `password`). A taken username is said (a name
 * must be chosen again; names are not secret, they sign in with them); a taken email address
 * never is: the page is the same "check your mail" either way, after the same Argon2 work,
 * and the account is created or the owner of the address is told "you already have an
 * account" after the answer has gone. The new account is `pending` until its address is
 * confirmed through a single-use link, for as long as that link lives: a pending account past
 * it counts as absent (expired-signups.ts), so it never blocks a new sign-up of its username
 * or address.
 */
export function submitSignupRoute(deps: AccountLinkDeps): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx, FORM_LIMITS);
    const locale = formLocale(ctx, form.single('lang'));
    if (!deps.csrf.sameOrigin(ctx)) return sendForeignOrigin(ctx, locale);
    const username = form.single('username') ?? '';
    const email = form.single('email') ?? '';
    const password = form.single('password') ?? '';
    const fields = {
      username: username.length <= 64 ? username : '',
      email: email.length <= MAX_EMAIL_LENGTH ? email : '',
    };
    const refuse = (status: number, error: FormError) =>
      renderForm(ctx, deps, locale, status, { ...fields, error });
    if (!deps.csrf.verify(ctx, form.single('csrf'))) {
      return refuse(403, (t) => t.text('form.error.expired'));
    }
    if (!USERNAME.test(normaliseUsername(username))) {
      return refuse(400, (t) => t.text('signup.error.invalidUsername'));
    }
    if (!isEmailAddress(email)) return refuse(400, (t) => t.text('account.error.invalidEmail'));
    const problem = checkNewPassword(password, { username, email });
    if (problem) return refuse(400, (t) => passwordProblemMessage(t, problem));

    const rate = deps.config.rateLimits.signupPerAddress;
    if (rate) {
      const verdict = await deps.limiter.consume('signup-address', addressBucket(ctx.ip), rate);
      if (!verdict.allowed) {
        ctx.set('Retry-After', String(verdict.retryAfterSec));
        return refuse(429, (t) =>
          t.text('error.tooManyRequests.message', { wait: describeWait(t, verdict.retryAfterSec) }),
        );
      }
    }
    // A pending sign-up past its lifetime no longer holds the name or the address.
    await dropExpiredSignups(deps);
    if (await deps.users.findByUsername(username)) {
      return refuse(409, (t) => t.text('signup.error.usernameTaken'));
    }
    const passwordHash = await hashPassword(password);
    const account = { username: normaliseUsername(username), email: normaliseEmail(email) };
    deps.afterAnswer.run('signup', () => register(deps, account, passwordHash, locale), ctx.res);
    sendMessage(ctx, 200, locale, (t) => ({
      title: 'signup.sent.title',
      message: t.text('signup.sent.message', { email: account.email }),
      advice: 'mail.sent.advice',
    }));
  };
}

/** Runs after the answer: creates the pending account, or tells the address's owner. */
async function register(
  deps: AccountLinkDeps,
  account: { username: string; email: string },
  passwordHash: string,
  locale: Locale,
): Promise<void> {
  const tellOwner = async (): Promise<boolean> => {
    const owner = await deps.users.findByEmail(account.email);
    if (!owner) return false;
    deps.mailer.send(
      {
        kind: 'already_registered',
        username: owner.username,
        link: `${deps.config.issuer}/forgot-password`,
      },
      account.email,
      locale,
    );
    return true;
  };
  if (await tellOwner()) return;
  const id = `u_${randomBytes(16).toString('base64url')}`;
  const created = await deps.users.createIfAbsent({
    id,
    ...account,
    passwordHash,
    roles: [],
    state: 'pending',
    signupExpiresAt: signupExpiresAt(deps.now()),
  });
  if (!created) {
    // Taken meanwhile: by the address (tell its owner), or by the name (the asker was told
    // "check your mail" and gets none; they try again and meet "username taken").
    if (!(await tellOwner())) deps.logger.info('account.signup_name_taken_meanwhile', {});
    return;
  }
  const user = await deps.users.findById(id);
  if (!user) return;
  const token = await deps.links.issue(user, 'verify');
  deps.mailer.send(
    {
      kind: 'email_verification',
      username: user.username,
      link: linkUrl(deps.config.issuer, 'verify', token),
    },
    account.email,
    locale,
  );
  deps.logger.info('account.signed_up', { sub: id });
}

function renderForm(
  ctx: Context,
  deps: AccountLinkDeps,
  locale: Locale,
  status: number,
  view: { username?: string; email?: string; error?: FormError },
): void {
  const frame = pageFrame(ctx, locale, '/signup');
  const html = signupPage(frame, {
    csrfToken: deps.csrf.issue(ctx),
    minLength: MIN_PASSWORD_LENGTH,
    recommendedLength: RECOMMENDED_PASSWORD_LENGTH,
    ...(view.username !== undefined && { username: view.username }),
    ...(view.email !== undefined && { email: view.email }),
    ...(view.error && { error: view.error(frame.t) }),
  });
  sendHtml(ctx, status, html, { hasForm: true });
}
