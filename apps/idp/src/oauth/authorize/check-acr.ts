import {
  ACR_MFA,
  ACR_PASSWORD,
  ACR_VALUES_SUPPORTED,
  acrSatisfies,
} from '../../sessions/assurance.js';
import { InvalidRequestError } from '../oauth-errors.js';
import type { AuthorizeParams } from './authorize-params.js';

/** More values than any real request names; a longer list is someone filling the store. */
const MAX_ACR_VALUES = 10;

/**
 * OIDC Core §3.1.2.1 `acr_values`: a space-separated list, in order of preference. Values we
 * do not offer are ignored (the request is voluntary, §5.5.1.1: a value we cannot name is
 * no reason to refuse the login); the supported ones are kept in the order given.
 */
export function checkAcrValues(params: AuthorizeParams): string[] | undefined {
  const raw = params.single('acr_values');
  if (raw === undefined) return undefined;
  const values = raw.split(' ').filter(Boolean);
  if (values.length > MAX_ACR_VALUES || values.some((value) => value.length > 200)) {
    throw new InvalidRequestError('acr_values is too long');
  }
  const supported = values.filter((value) => ACR_VALUES_SUPPORTED.includes(value));
  return supported.length > 0 ? [...new Set(supported)] : undefined;
}

/**
 * What a login for one client must reach: `target`, the level to step up to when the user
 * can; `minimum`, below which no code is issued (the user is told to set up a second
 * factor). A client registered with `require_mfa`, and a user whose role is in
 * MFA_REQUIRED_ROLES, need the mfa level outright; `acr_values` asks for its first value and
 * accepts down to its weakest (§3.1.2.1, "in order of preference").
 */
export interface AcrNeed {
  target: string;
  minimum: string;
}

export function acrNeed(
  request: { acrValues?: readonly string[] | undefined },
  client: { requireMfa?: boolean | undefined } | undefined,
  user: { roles: readonly string[] },
  mfaRequiredRoles: readonly string[],
): AcrNeed {
  const asked = request.acrValues ?? [];
  let target = asked[0] ?? ACR_PASSWORD;
  let minimum = asked.reduce(
    (weakest, value) => (acrSatisfies(weakest, value) ? value : weakest),
    target,
  );
  const required =
    client?.requireMfa === true || user.roles.some((role) => mfaRequiredRoles.includes(role));
  if (required) {
    target = ACR_MFA;
    minimum = ACR_MFA;
  }
  return { target, minimum };
}

/**
 * What to do with a session (or a login) at `acr` for `need`: `satisfied` (issue the code),
 * `step-up` (ask for the second factor the user has), or `cannot` (the user has none and
 * the minimum is above what they proved).
 */
export function decideAcr(
  acr: string,
  need: AcrNeed,
  hasSecondFactor: boolean,
): 'satisfied' | 'step-up' | 'cannot' {
  if (acrSatisfies(acr, need.target)) return 'satisfied';
  if (hasSecondFactor) return 'step-up';
  return acrSatisfies(acr, need.minimum) ? 'satisfied' : 'cannot';
}
