import { describe, expect, it } from 'vitest';
import { ACR_MFA, ACR_PASSWORD } from '../../sessions/assurance.js';
import { InvalidRequestError } from '../oauth-errors.js';
import { AuthorizeParams } from './authorize-params.js';
import { acrNeed, checkAcrValues, decideAcr } from './check-acr.js';

const NOBODY = { roles: [] };

describe('OIDC Core §3.1.2.1 acr_values', () => {
  it('keeps the supported values in the order of preference given', () => {
    expect(checkAcrValues(paramsOf({ acr_values: `${ACR_MFA} ${ACR_PASSWORD}` }))).toEqual([
      ACR_MFA,
      ACR_PASSWORD,
    ]);
  });

  it('ignores values it does not offer: the request is voluntary (§5.5.1.1)', () => {
    expect(checkAcrValues(paramsOf({ acr_values: 'urn:other:gold' }))).toBeUndefined();
    expect(checkAcrValues(paramsOf({ acr_values: `urn:other:gold ${ACR_MFA}` }))).toEqual([
      ACR_MFA,
    ]);
  });

  it('refuses an absurdly long list with invalid_request', () => {
    const many = Array.from({ length: 11 }, (_, i) => `urn:x:${i}`).join(' ');
    expect(() => checkAcrValues(paramsOf({ acr_values: many }))).toThrow(InvalidRequestError);
  });
});

describe('acrNeed and decideAcr', () => {
  it('asks for nothing more than a password by default', () => {
    const need = acrNeed({}, undefined, NOBODY, []);
    expect(need).toEqual({ target: ACR_PASSWORD, minimum: ACR_PASSWORD });
    expect(decideAcr(ACR_PASSWORD, need, true)).toBe('satisfied');
  });

  it('steps a password session up when acr_values asks for mfa and the user has a factor', () => {
    const need = acrNeed({ acrValues: [ACR_MFA] }, undefined, NOBODY, []);
    expect(decideAcr(ACR_PASSWORD, need, true)).toBe('step-up');
    expect(decideAcr(ACR_MFA, need, true)).toBe('satisfied');
  });

  it('never issues a weaker acr than required: no factor means cannot', () => {
    const need = acrNeed({ acrValues: [ACR_MFA] }, undefined, NOBODY, []);
    expect(decideAcr(ACR_PASSWORD, need, false)).toBe('cannot');
  });

  it('"mfa pwd" prefers mfa but accepts a password from a user who has no factor', () => {
    const need = acrNeed({ acrValues: [ACR_MFA, ACR_PASSWORD] }, undefined, NOBODY, []);
    expect(decideAcr(ACR_PASSWORD, need, true)).toBe('step-up');
    expect(decideAcr(ACR_PASSWORD, need, false)).toBe('satisfied');
  });

  it('require_mfa on the client needs mfa whatever the request asks', () => {
    const need = acrNeed({ acrValues: [ACR_PASSWORD] }, { requireMfa: true }, NOBODY, []);
    expect(need).toEqual({ target: ACR_MFA, minimum: ACR_MFA });
  });

  it('a role in MFA_REQUIRED_ROLES needs mfa', () => {
    expect(acrNeed({}, undefined, { roles: ['admin'] }, ['admin']).minimum).toBe(ACR_MFA);
    expect(acrNeed({}, undefined, { roles: ['user'] }, ['admin']).minimum).toBe(ACR_PASSWORD);
  });
});

function paramsOf(values: Record<string, string>) {
  return new AuthorizeParams(
    new Map(Object.entries(values).map(([name, value]) => [name, [value]])),
  );
}
