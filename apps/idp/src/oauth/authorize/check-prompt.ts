import { authenticatedAtMs, type Session } from '../../sessions/session.js';
import { InvalidRequestError } from '../oauth-errors.js';
import type { Prompt } from './authorization-request.js';
import type { AuthorizeParams } from './authorize-params.js';

const PROMPTS: readonly Prompt[] = ['none', 'login', 'consent', 'select_account'];

/**
 * OIDC Core §3.1.2.1 `prompt`: a space-delimited set; `none` must stand alone. `consent`
 * shows a third-party client's consent page even when the user allowed it before
 * (consent/); a first-party client never has one, so there it is already satisfied;
 * `select_account` shows the login form, where another account can be chosen.
 */
export function checkPrompt(params: AuthorizeParams): Prompt[] {
  const raw = params.single('prompt');
  if (raw === undefined) return [];
  const values = [...new Set(raw.split(' ').filter(Boolean))];
  const unknown = values.filter((value) => !PROMPTS.includes(value as Prompt));
  if (unknown.length > 0)
    throw new InvalidRequestError(`prompt value not supported: ${unknown.join(' ')}`);
  if (values.includes('none') && values.length > 1) {
    throw new InvalidRequestError('prompt=none cannot be combined with other values');
  }
  return values as Prompt[];
}

/** OIDC Core §3.1.2.1 `max_age`: allowable seconds since the user last actively logged in. */
export function checkMaxAge(params: AuthorizeParams): number | undefined {
  const raw = params.single('max_age');
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw)) throw new InvalidRequestError('max_age must be a number of seconds');
  return Number(raw);
}

/**
 * Whether the request insists on a fresh login whatever session the browser has.
 *
 * OIDC Core §3.1.2.1: "If the elapsed time is greater than this value, the OP MUST attempt to
 * actively re-authenticate". The elapsed time is measured in milliseconds: truncating both
 * ends to whole seconds let a login up to 2 s old pass `max_age=1`. Exactly `max_age` seconds
 * is not greater, so it is still within.
 */
export function requiresFreshLogin(
  request: { prompt: readonly Prompt[]; maxAge?: number },
  session: Pick<Session, 'authTime' | 'authTimeMs'>,
  nowMs: number,
): boolean {
  if (request.prompt.includes('login') || request.prompt.includes('select_account')) return true;
  if (request.maxAge === undefined) return false;
  // max_age=0 means "log in now", the same as prompt=login.
  if (request.maxAge === 0) return true;
  return nowMs - authenticatedAtMs(session) > request.maxAge * 1000;
}
