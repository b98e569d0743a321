import { describe, expect, it } from 'vitest';
import { ACR_MFA, gateDecision } from './gate-decision';

const PWD = 'urn:latchkey:acr:pwd';

describe('gateDecision', () => {
  it('refuses a user without the admin role, whatever the factors', () => {
    expect(gateDecision({ roles: ['user'], acr: ACR_MFA }, true)).toBe('forbidden');
    expect(gateDecision({ roles: [], acr: PWD }, false)).toBe('forbidden');
    // A role that only looks like it.
    expect(gateDecision({ roles: ['Admin', 'admins'], acr: ACR_MFA }, true)).toBe('forbidden');
  });

  it('asks an admin who signed in with a password only to step up, by default', () => {
    expect(gateDecision({ roles: ['admin'], acr: PWD }, true)).toBe('step-up');
    expect(gateDecision({ roles: ['admin'], acr: undefined }, true)).toBe('step-up');
    expect(gateDecision({ roles: ['admin'], acr: ACR_MFA }, true)).toBe('enter');
  });

  it('lets an admin in on a password when the console does not require a second factor', () => {
    expect(gateDecision({ roles: ['user', 'admin'], acr: PWD }, false)).toBe('enter');
  });
});
