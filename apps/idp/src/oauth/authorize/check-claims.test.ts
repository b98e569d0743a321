import { describe, expect, it } from 'vitest';
import { ACR_MFA, ACR_PASSWORD } from '../../sessions/assurance.js';
import { InvalidRequestError } from '../oauth-errors.js';
import { AccessDeniedError } from './authorization-errors.js';
import { AuthorizeParams } from './authorize-params.js';
import { checkClaims, mergeAcrRequests } from './check-claims.js';

const claims = (value: unknown) =>
  checkClaims(paramsOf({ claims: typeof value === 'string' ? value : JSON.stringify(value) }));

describe('OIDC Core §5.5.1.1 the acr claim requested through claims', () => {
  it('an essential acr with values is read, in the order given', () => {
    expect(claims({ id_token: { acr: { essential: true, values: [ACR_MFA] } } })).toEqual({
      values: [ACR_MFA],
      essential: true,
    });
    expect(claims({ id_token: { acr: { value: ACR_PASSWORD } } })).toEqual({
      values: [ACR_PASSWORD],
      essential: false,
    });
  });

  it('an essential acr overrides acr_values; a voluntary one yields to them', () => {
    const essential = { values: [ACR_MFA], essential: true };
    const voluntary = { values: [ACR_MFA], essential: false };
    expect(mergeAcrRequests([ACR_PASSWORD], essential)).toEqual([ACR_MFA]);
    expect(mergeAcrRequests([ACR_PASSWORD], voluntary)).toEqual([ACR_PASSWORD]);
    expect(mergeAcrRequests(undefined, voluntary)).toEqual([ACR_MFA]);
    expect(mergeAcrRequests(undefined, undefined)).toBeUndefined();
  });

  it('an essential acr naming none of our values is a failed authentication: access_denied', () => {
    expect(() =>
      claims({ id_token: { acr: { essential: true, values: ['urn:x:gold'] } } }),
    ).toThrow(AccessDeniedError);
    // Voluntary: ignored, as acr_values are.
    expect(claims({ id_token: { acr: { values: ['urn:x:gold'] } } })).toEqual({
      values: [],
      essential: false,
    });
  });

  it('other claims, and acr asked for without values, change nothing (§5.5.1: voluntary)', () => {
    expect(
      claims({ userinfo: { email: { essential: true } }, id_token: { auth_time: null } }),
    ).toBeUndefined();
    expect(claims({ id_token: { acr: null } })).toBeUndefined();
    expect(claims({ id_token: { acr: { essential: true } } })).toEqual({
      values: [],
      essential: true,
    });
  });
});

describe('OIDC Core §5.5 a malformed claims parameter is RFC 6749 invalid_request', () => {
  it.each([
    ['not JSON', '{"id_token":'],
    ['not an object', '[1,2]'],
    ['a JSON string', '"acr"'],
    ['id_token not an object', { id_token: 'acr' }],
    ['a claim request neither null nor an object', { id_token: { acr: true } }],
    ['essential not a boolean', { id_token: { acr: { essential: 'yes' } } }],
    ['values not a list', { id_token: { acr: { values: ACR_MFA } } }],
    ['values holding objects', { id_token: { acr: { values: [{}] } } }],
    ['value a list', { userinfo: { email: { value: ['a'] } } }],
  ])('%s', (_name, value) => {
    expect(() => claims(value)).toThrow(InvalidRequestError);
  });
});

function paramsOf(values: Record<string, string>) {
  return new AuthorizeParams(
    new Map(Object.entries(values).map(([name, value]) => [name, [value]])),
  );
}
