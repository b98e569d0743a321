import type { PlainMessageKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/translate.js';
import { escapeHtml, htmlMessage, page, type PageFrame } from '../views/html.js';
import { formatTime, isoTime } from './account-format.js';
import type { DeviceLabel } from './device-label.js';
import { appsSection, type AppAccessRow } from './apps-view.js';
import { formFields } from './form-fields.js';

/** One session in the list: never its `sid` (a credential), only a handle that names it. */
export interface SessionRow {
  handle: string;
  current: boolean;
  device: DeviceLabel;
  userAgent?: string | undefined;
  address?: string | undefined;
  createdAt: number;
  lastSeenAt: number;
  /** The names of the apps signed in through it. */
  apps: readonly string[];
}

export interface AccountPageModel {
  csrfToken: string;
  profile: {
    username: string;
    name?: string | undefined;
    email?: string | undefined;
    roles: readonly string[];
    createdAt: number;
  };
  /** The current session first, then the others, newest first. */
  sessions: readonly SessionRow[];
  /** The third-party apps the user allowed ("Apps with access"); default none. */
  apps?: readonly AppAccessRow[];
  /** What the last action did, announced at the top. */
  notice?: PlainMessageKey | undefined;
  /** The user's second factors (mfa/): the section links to their page. */
  twoFactor?: { totp: boolean };
}

export { formFields };

/** GET /account: profile, sessions, password. Plain HTML forms, no script. */
export function accountPage(frame: PageFrame, model: AccountPageModel): string {
  const { t } = frame;
  const username = `<strong>${escapeHtml(model.profile.username)}</strong>`;
  const notice = model.notice
    ? `<p class="notice" role="status">${escapeHtml(t.text(model.notice))}</p>\n`
    : '';
  const others = model.sessions.some((session) => !session.current);
  return page(
    frame,
    t.text('account.title'),
    `<h1>${escapeHtml(t.text('account.heading'))} <small>${htmlMessage(t, 'account.signedInAs', { username })}</small></h1>
${notice}<section aria-labelledby="profile">
<h2 id="profile">${escapeHtml(t.text('account.profile.heading'))}</h2>
${profileList(frame, model.profile)}
</section>
<section aria-labelledby="sessions">
<h2 id="sessions">${escapeHtml(t.text('account.sessions.heading'))}</h2>
<p class="lead">${escapeHtml(t.text('account.sessions.lead'))}</p>
<ul class="sessions">
${model.sessions.map((session) => sessionItem(frame, session, model.csrfToken)).join('\n')}
</ul>
${others ? signOutOthersForm(t, model.csrfToken) : ''}
</section>
${appsSection(frame, model.apps ?? [], model.csrfToken)}
<section aria-labelledby="password">
<h2 id="password">${escapeHtml(t.text('account.password.heading'))}</h2>
<p class="lead">${escapeHtml(t.text('account.password.lead'))}</p>
<p class="actions"><a class="button" href="/account/password" data-action="change-password">${escapeHtml(t.text('account.password.title'))}</a></p>
</section>${model.twoFactor ? twoFactorSection(t, model.twoFactor) : ''}
<section aria-labelledby="passkeys">
<h2 id="passkeys">${escapeHtml(t.text('account.passkeys.heading'))}</h2>
<p class="lead">${escapeHtml(t.text('account.passkeys.lead'))}</p>
<p class="actions"><a class="button" href="/account/passkeys" data-action="manage-passkeys">${escapeHtml(t.text('account.passkeys.manage'))}</a></p>
</section>`,
    { wide: true },
  );
}

function profileList({ t }: PageFrame, profile: AccountPageModel['profile']): string {
  const notSet = `<span class="hint">${escapeHtml(t.text('account.profile.notSet'))}</span>`;
  const value = (text: string | undefined) => (text ? escapeHtml(text) : notSet);
  // Role names are identifiers, the same in every language: shown as code.
  const roles = profile.roles.length
    ? profile.roles.map((role) => `<code lang="en">${escapeHtml(role)}</code>`).join(', ')
    : notSet;
  const rows: Array<[PlainMessageKey, string]> = [
    ['account.profile.username', escapeHtml(profile.username)],
    ['account.profile.name', value(profile.name)],
    ['account.profile.email', value(profile.email)],
    ['account.profile.roles', roles],
    ['account.profile.created', time(t, profile.createdAt)],
  ];
  return `<dl class="profile">
${rows.map(([label, html]) => `<dt>${escapeHtml(t.text(label))}</dt><dd>${html}</dd>`).join('\n')}
</dl>`;
}

function sessionItem({ t }: PageFrame, session: SessionRow, csrfToken: string): string {
  const current = session.current
    ? ` <span class="badge">${escapeHtml(t.text('account.sessions.current'))}</span>`
    : '';
  const meta = [
    htmlMessage(t, 'account.sessions.started', { time: time(t, session.createdAt) }),
    htmlMessage(t, 'account.sessions.lastSeen', { time: time(t, session.lastSeenAt) }),
    ...(session.address
      ? [htmlMessage(t, 'account.sessions.address', { address: escapeHtml(session.address) })]
      : []),
    session.apps.length
      ? htmlMessage(t, 'account.sessions.apps', {
          apps: session.apps.map((name) => `<strong>${escapeHtml(name)}</strong>`).join(', '),
        })
      : escapeHtml(t.text('account.sessions.noApps')),
  ];
  const userAgent = session.userAgent
    ? `\n<span class="ua">${escapeHtml(session.userAgent)}</span>`
    : '';
  return `<li${session.current ? ' aria-current="true"' : ''}>
<p class="device">${escapeHtml(deviceName(t, session.device))}${current}</p>${userAgent}
<ul class="meta">${meta.map((line) => `<li>${line}</li>`).join('')}</ul>
<form method="post" action="/account/sessions/sign-out">
${formFields(t, csrfToken)}
<input type="hidden" name="session" value="${escapeHtml(session.handle)}">
<button type="submit" class="secondary" data-action="sign-out-session">${escapeHtml(t.text('account.sessions.signOut'))}</button>
</form>
</li>`;
}

function signOutOthersForm(t: Translator, csrfToken: string): string {
  return `<form method="post" action="/account/sessions/sign-out-others" class="actions">
${formFields(t, csrfToken)}
<button type="submit" class="secondary" data-action="sign-out-others">${escapeHtml(t.text('account.sessions.signOutOthers'))}</button>
</form>`;
}

function deviceName(t: Translator, { browser, os }: DeviceLabel): string {
  if (browser && os) return t.text('account.sessions.device', { browser, os });
  return browser ?? os ?? t.text('account.sessions.unknownDevice');
}

function time(t: Translator, epochMs: number): string {
  return `<time datetime="${isoTime(epochMs)}">${escapeHtml(formatTime(t.locale, epochMs))}</time>`;
}

/** The way to the second factors' pages (mfa/two-factor-routes.ts). */
function twoFactorSection(t: Translator, status: { totp: boolean }): string {
  const add = status.totp
    ? ''
    : ` <a class="button" href="/account/two-factor/totp" data-action="add-totp">${escapeHtml(t.text('mfa.account.addTotp'))}</a>`;
  return `
<section aria-labelledby="two-factor">
<h2 id="two-factor">${escapeHtml(t.text('mfa.account.heading'))}</h2>
<p class="lead">${escapeHtml(t.text(status.totp ? 'mfa.account.totpOn' : 'mfa.account.totpOff'))}</p>
<p class="actions"><a class="button" href="/account/two-factor" data-action="manage-two-factor">${escapeHtml(t.text('mfa.account.manage'))}</a>${add}</p>
</section>`;
}
