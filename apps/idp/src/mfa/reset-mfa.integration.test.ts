import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { UserNotFoundError } from '../users/account-errors.js';
import { timeStep, totpCodeAt } from './totp-code.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp({}, undefined, { database: await freshTestDatabase() });
}, 60_000);
afterAll(() => idp.close());

describe('AccountLifecycle.resetSecondFactors (users reset-mfa)', () => {
  it('removes the TOTP and the recovery codes, and ends every session of the user', async () => {
    const bob = (await idp.users.findByUsername('bob'))!;
    const begun = await idp.secondFactors.beginTotp(bob);
    await idp.secondFactors.confirmTotp(bob.id, totpCodeAt(begun!.secret, timeStep(Date.now())));
    const session = await idp.sessions.create({ sub: bob.id, username: 'bob' }, Date.now());
    expect(await idp.secondFactors.status(bob.id)).toEqual({ totp: true, recoveryCodesLeft: 10 });

    await idp.accounts.resetSecondFactors(bob.id);

    expect(await idp.secondFactors.status(bob.id)).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect(await idp.sessions.find(session.sid, Date.now())).toBeNull();
  });

  it('refuses an unknown user with UserNotFoundError', async () => {
    await expect(idp.accounts.resetSecondFactors('no-such-user')).rejects.toBeInstanceOf(
      UserNotFoundError,
    );
  });
});
