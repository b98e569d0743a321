import { formFields } from '../account/account-view.js';
import { formatTime, isoTime } from '../account/account-format.js';
import type { PlainMessageKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/translate.js';
import { escapeHtml, htmlMessage, page, type PageFrame } from '../views/html.js';
import { PASSKEY_SCRIPT_PATH } from './browser-script.js';
import { MAX_PASSKEY_NAME_LENGTH, type Passkey } from './passkey-repository.js';

export interface PasskeysPageModel {
  csrfToken: string;
  passkeys: readonly Passkey[];
  /**
   * The enrolment ceremony, when the login is recent enough to add one; otherwise the add
   * button leads through a re-authentication first.
   */
  enrolment?: { handle: string; optionsJson: string } | undefined;
  notice?: PlainMessageKey | undefined;
  /** Already translated. */
  error?: string | undefined;
  /** The name typed for a new passkey, kept after a refusal. */
  newName?: string | undefined;
}

export const PASSKEYS_PATH = '/account/passkeys';

/**
 * GET /account/passkeys: each passkey with its name (a rename form), when it was added and
 * last used, and a remove button; then the way to add one. Adding needs JavaScript (the
 * WebAuthn API); without it the form stays hidden and the page says so.
 */
export function passkeysPage(frame: PageFrame, model: PasskeysPageModel): string {
  const { t } = frame;
  const notice = model.notice
    ? `<p class="notice" role="status">${escapeHtml(t.text(model.notice))}</p>\n`
    : '';
  const list = model.passkeys.length
    ? `<ul class="sessions">\n${model.passkeys.map((p) => passkeyItem(t, p, model.csrfToken)).join('\n')}\n</ul>`
    : `<p class="hint">${escapeHtml(t.text('account.passkeys.none'))}</p>`;
  return page(
    frame,
    t.text('account.passkeys.title'),
    `<h1>${escapeHtml(t.text('account.passkeys.title'))}</h1>
<p class="lead">${escapeHtml(t.text('account.passkeys.lead'))}</p>
${notice}<div id="passkey-error" class="alert" role="alert" aria-live="assertive">${model.error ? escapeHtml(model.error) : ''}</div>
${list}
${model.enrolment ? enrolForm(t, model) : reauthLink(t)}
<p class="fine"><a href="/account">${escapeHtml(t.text('account.passkeys.back'))}</a></p>`,
    { wide: true, scripts: model.enrolment ? [PASSKEY_SCRIPT_PATH] : [] },
  );
}

function passkeyItem(t: Translator, passkey: Passkey, csrfToken: string): string {
  const id = escapeHtml(passkey.credentialId);
  const meta = [
    htmlMessage(t, 'account.passkeys.created', { time: time(t, passkey.createdAt) }),
    passkey.lastUsedAt
      ? htmlMessage(t, 'account.passkeys.lastUsed', { time: time(t, passkey.lastUsedAt) })
      : escapeHtml(t.text('account.passkeys.neverUsed')),
    escapeHtml(
      t.text(passkey.backupEligible ? 'account.passkeys.synced' : 'account.passkeys.deviceBound'),
    ),
  ];
  return `<li data-passkey-id="${id}">
<p class="device">${escapeHtml(passkey.name)}</p>
<ul class="meta">${meta.map((line) => `<li>${line}</li>`).join('')}</ul>
<form method="post" action="${PASSKEYS_PATH}/rename">
${formFields(t, csrfToken)}
<input type="hidden" name="credential_id" value="${id}">
<label for="name-${id}">${escapeHtml(t.text('account.passkeys.nameLabel'))}</label>
<input type="text" id="name-${id}" name="name" value="${escapeHtml(passkey.name)}" maxlength="${MAX_PASSKEY_NAME_LENGTH}" required>
<button type="submit" class="secondary" data-action="rename-passkey">${escapeHtml(t.text('account.passkeys.rename'))}</button>
</form>
<form method="post" action="${PASSKEYS_PATH}/remove">
${formFields(t, csrfToken)}
<input type="hidden" name="credential_id" value="${id}">
<button type="submit" class="secondary" data-action="remove-passkey">${escapeHtml(t.text('account.passkeys.remove'))}</button>
</form>
</li>`;
}

function time(t: Translator, at: Date): string {
  return `<time datetime="${isoTime(at.getTime())}">${escapeHtml(formatTime(t.locale, at.getTime()))}</time>`;
}

function enrolForm(t: Translator, model: PasskeysPageModel): string {
  const enrolment = model.enrolment!;
  const name = model.newName ?? t.text('account.passkeys.defaultName');
  return `<form method="post" action="${PASSKEYS_PATH}" data-passkey="register" data-alert="passkey-error" data-options="${escapeHtml(enrolment.optionsJson)}" data-cancelled="${escapeHtml(t.text('account.passkeys.cancelled'))}" data-unsupported="${escapeHtml(t.text('account.passkeys.unsupported'))}" hidden>
${formFields(t, model.csrfToken)}
<input type="hidden" name="challenge" value="${escapeHtml(enrolment.handle)}">
<input type="hidden" name="credential" value="">
<label for="new-passkey-name">${escapeHtml(t.text('account.passkeys.newNameLabel'))}</label>
<input type="text" id="new-passkey-name" name="name" value="${escapeHtml(name)}" maxlength="${MAX_PASSKEY_NAME_LENGTH}" required>
<button type="button" data-action="add-passkey">${escapeHtml(t.text('account.passkeys.add'))}</button>
</form>`;
}

/** The login is too old to enrol: the button goes through a re-authentication first. */
function reauthLink(t: Translator): string {
  return `<p class="actions"><a class="button" href="${PASSKEYS_PATH}?add=1" data-action="add-passkey">${escapeHtml(t.text('account.passkeys.add'))}</a></p>`;
}
