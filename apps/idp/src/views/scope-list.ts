import type { PlainMessageKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/translate.js';
import { escapeHtml } from './html.js';

/** The scopes the catalogue describes in words; any other is named as it is. */
const DESCRIBED: Readonly<Record<string, PlainMessageKey>> = {
  openid: 'scope.openid',
  profile: 'scope.profile',
  email: 'scope.email',
  offline_access: 'scope.offline_access',
};

/** What a scope lets an application do, in the reader's language. */
export function describeScope(t: Translator, scope: string): string {
  const key = Object.hasOwn(DESCRIBED, scope) ? DESCRIBED[scope] : undefined;
  return key ? t.text(key) : t.text('scope.other', { scope });
}

/**
 * The `<ul class="scopes">` the consent page, the device confirmation and the account page
 * show: one sentence per scope, so a person sees what they allow, never bare scope names.
 */
export function scopeList(t: Translator, scopes: readonly string[]): string {
  const items = scopes.map((scope) => `<li>${escapeHtml(describeScope(t, scope))}</li>`);
  return `<ul class="scopes">\n${items.join('\n')}\n</ul>`;
}
