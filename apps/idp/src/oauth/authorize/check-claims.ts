import { ACR_VALUES_SUPPORTED } from '../../sessions/assurance.js';
import { InvalidRequestError } from '../oauth-errors.js';
import { AccessDeniedError } from './authorization-errors.js';
import type { AuthorizeParams } from './authorize-params.js';

/** What the `claims` parameter asks of the ID token's `acr`, once read. */
export interface ClaimsAcr {
  /** The supported values, in the order given; empty when it named none of ours. */
  values: string[];
  /** `essential: true` (§5.5.1.1): a login below these values is a failed one. */
  essential: boolean;
}

/** The members of a `claims` request that name claims (OIDC Core §5.5). */
const TARGETS = ['id_token', 'userinfo'] as const;

/**
 * OIDC Core §5.5 `claims`: a JSON object whose `id_token` and `userinfo` members map claim
 * names to `null` or to `{ essential, value, values }`. Only `id_token.acr` changes what we
 * do (§5.5.1.1, the acr a login must reach); every other claim we either issue anyway or do
 * not have, and asking for it is voluntary (§5.5.1: "not an error"). Anything that is not
 * that shape is a malformed request (RFC 6749 §4.1.2.1 `invalid_request`): a client that
 * cannot write the JSON would otherwise get a login weaker than it believes it asked for.
 */
export function checkClaims(params: AuthorizeParams): ClaimsAcr | undefined {
  const raw = params.single('claims');
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidRequestError('claims is not valid JSON');
  }
  if (!isObject(parsed)) throw new InvalidRequestError('claims must be a JSON object');
  for (const target of TARGETS) {
    const member = parsed[target];
    if (member === undefined) continue;
    if (!isObject(member)) throw new InvalidRequestError(`claims.${target} must be an object`);
    for (const [name, request] of Object.entries(member)) {
      checkClaimRequest(`claims.${target}.${name}`, request);
    }
  }
  const idToken = parsed.id_token;
  const acr = isObject(idToken) ? idToken.acr : undefined;
  if (!isObject(acr)) return undefined;
  const asked = [
    ...(typeof acr.value === 'string' ? [acr.value] : []),
    ...(Array.isArray(acr.values) ? (acr.values as string[]) : []),
  ];
  const values = [...new Set(asked.filter((value) => ACR_VALUES_SUPPORTED.includes(value)))];
  const essential = acr.essential === true;
  // §5.5.1.1: an essential acr the server cannot satisfy is a failed authentication, not a
  // silent downgrade to whatever the session has.
  if (essential && asked.length > 0 && values.length === 0) {
    throw new AccessDeniedError('none of the essential acr values is supported');
  }
  return { values, essential };
}

/**
 * Where `claims` and `acr_values` meet: an essential `acr` is a requirement and wins; a
 * voluntary one is a preference, as `acr_values` is, which comes first when both are sent.
 */
export function mergeAcrRequests(
  acrValues: readonly string[] | undefined,
  claims: ClaimsAcr | undefined,
): string[] | undefined {
  if (claims && claims.values.length > 0 && (claims.essential || acrValues === undefined)) {
    return [...claims.values];
  }
  return acrValues === undefined ? undefined : [...acrValues];
}

/** §5.5.1: `null`, or an object whose `essential`, `value` and `values` have their types. */
function checkClaimRequest(where: string, request: unknown): void {
  if (request === null) return;
  if (!isObject(request)) throw new InvalidRequestError(`${where} must be null or an object`);
  if (request.essential !== undefined && typeof request.essential !== 'boolean') {
    throw new InvalidRequestError(`${where}.essential must be a boolean`);
  }
  if (request.values !== undefined) {
    const values: unknown = request.values;
    if (!Array.isArray(values) || values.length > 10 || !values.every(isShortScalar)) {
      throw new InvalidRequestError(`${where}.values must be a short list of values`);
    }
  }
  if (request.value !== undefined && !isShortScalar(request.value)) {
    throw new InvalidRequestError(`${where}.value must be a single value`);
  }
}

function isShortScalar(value: unknown): boolean {
  return (
    (typeof value === 'string' && value.length <= 200) ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
