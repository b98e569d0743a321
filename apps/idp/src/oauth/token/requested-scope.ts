import { InvalidScopeError } from '../oauth-errors.js';

/**
 * RFC 6749 §3.3: the scope is a space-delimited list of case-sensitive tokens. Asking for a
 * scope the client may not have is an error rather than a silent downgrade, so the client
 * learns at once that its registration is wrong.
 */
export function resolveScope(requested: string | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(requested)) {
    throw new InvalidScopeError('scope is not a space-delimited list of scope tokens');
  }
  const scopes = [...new Set(requested.split(' '))];
  const refused = scopes.filter((scope) => !allowed.includes(scope));
  if (refused.length > 0) {
    throw new InvalidScopeError(`scope not allowed for this client: ${refused.join(' ')}`);
  }
  return scopes;
}
