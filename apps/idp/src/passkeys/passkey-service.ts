import type { Logger } from '../logger.js';
import type { User } from '../users/user.js';
import type { ChallengeBinding, ChallengeRecord, ChallengeStore } from './challenge-store.js';
import {
  authenticationOptions,
  finishAssertion,
  readAssertion,
  registrationOptions,
  verifyRegistration,
} from './passkey-ceremonies.js';
import { PasskeyError } from './passkey-errors.js';
import type { Passkey, PasskeyRepository } from './passkey-repository.js';
import type { RelyingParty } from './relying-party.js';
import { amrForPasskey } from './passkey-amr.js';

/** A ceremony started: what the page carries (the challenge's handle, the options as JSON). */
export interface StartedCeremony {
  handle: string;
  optionsJson: string;
}

/** A sign-in that passed every check. */
export interface PasskeySignIn {
  passkey: Passkey;
  userVerified: boolean;
  /** RFC 8176 values for this sign-in (passkey-amr.ts). */
  amr: string[];
}

/**
 * Passkeys, as the pages use them: start a ceremony (a challenge bound to who asked, and the
 * options for the browser), and finish it (the challenge taken, the response checked, the
 * credential stored or its use recorded). Refusals are PasskeyErrors; a counter that did not
 * grow is also logged, since it may mean a cloned authenticator.
 */
export interface PasskeyService {
  startEnrolment(
    user: Pick<User, 'id' | 'username' | 'name'>,
    sid: string,
    nowMs: number,
  ): Promise<StartedCeremony>;
  finishEnrolment(
    user: Pick<User, 'id'>,
    sid: string,
    input: { handle: string | undefined; response: string | undefined; name: string },
    nowMs: number,
  ): Promise<Passkey>;
  /**
   * Without `sub`: a passwordless sign-in for a pending login (discoverable credentials, any
   * account). With it: the second factor of that user, offering only their passkeys.
   */
  startSignIn(
    binding: Extract<ChallengeBinding, { purpose: 'login' | 'second-factor' }>,
    nowMs: number,
  ): Promise<StartedCeremony>;
  /**
   * Checks a sign-in response against the challenge `handle` names, which must have been made
   * for `expected` (the same pending login; for a second factor, the same user too).
   */
  finishSignIn(
    expected: Extract<ChallengeBinding, { purpose: 'login' | 'second-factor' }>,
    input: { handle: string | undefined; response: string | undefined },
    nowMs: number,
  ): Promise<PasskeySignIn>;
  repository: PasskeyRepository;
}

export function createPasskeyService(deps: {
  repository: PasskeyRepository;
  challenges: ChallengeStore;
  rp: RelyingParty;
  logger: Logger;
}): PasskeyService {
  const { repository, challenges, rp, logger } = deps;

  const taken = async (
    handle: string | undefined,
    nowMs: number,
    matches: (r: ChallengeRecord) => boolean,
  ) => {
    const record = await challenges.take(handle, nowMs);
    if (!record || !matches(record)) {
      throw new PasskeyError('ERR_PASSKEY_CHALLENGE', 'no such challenge for this ceremony');
    }
    return record;
  };

  return {
    repository,

    async startEnrolment(user, sid, nowMs) {
      const [userHandle, existing] = await Promise.all([
        repository.userHandle(user.id),
        repository.listOfUser(user.id),
      ]);
      const { handle, challenge } = await challenges.issue(
        { purpose: 'register', sub: user.id, sid },
        nowMs,
      );
      const options = await registrationOptions(rp, {
        challenge,
        userHandle,
        username: user.username,
        displayName: user.name ?? user.username,
        existing,
      });
      return { handle, optionsJson: JSON.stringify(options) };
    },

    async finishEnrolment(user, sid, input, nowMs) {
      const record = await taken(
        input.handle,
        nowMs,
        (r) => r.purpose === 'register' && r.sub === user.id && r.sid === sid,
      );
      const credential = await verifyRegistration(rp, input.response, record.challenge);
      const passkey = {
        ...credential,
        userId: user.id,
        name: input.name,
        createdAt: new Date(nowMs),
      };
      if (!(await repository.add(passkey))) {
        throw new PasskeyError('ERR_PASSKEY_DUPLICATE', 'the credential is registered already');
      }
      return { ...passkey, lastUsedAt: null };
    },

    async startSignIn(binding, nowMs) {
      const allow =
        binding.purpose === 'second-factor' ? await repository.listOfUser(binding.sub) : [];
      const { handle, challenge } = await challenges.issue(binding, nowMs);
      const options = await authenticationOptions(rp, { challenge, allow });
      return { handle, optionsJson: JSON.stringify(options) };
    },

    async finishSignIn(expected, input, nowMs) {
      const record = await taken(
        input.handle,
        nowMs,
        (r) =>
          r.purpose === expected.purpose &&
          r.authz === expected.authz &&
          (expected.purpose === 'login' ||
            (r.purpose === 'second-factor' && r.sub === expected.sub)),
      );
      const { claim, parsed } = readAssertion(rp, input.response, record.challenge);
      const passkey = await repository.find(claim.credentialId);
      // A credential of another user than the one signing in (second factor), or whose user
      // handle is not its owner's (a discoverable credential names its account): refused alike.
      if (!passkey || (record.purpose === 'second-factor' && passkey.userId !== record.sub)) {
        throw new PasskeyError('ERR_PASSKEY_CREDENTIAL', 'no such credential for this user');
      }
      if (claim.userHandle !== undefined || record.purpose === 'login') {
        const owner = await repository.findUserHandle(passkey.userId);
        if (owner === null || claim.userHandle !== owner) {
          throw new PasskeyError('ERR_PASSKEY_CREDENTIAL', 'user handle is not the owner’s');
        }
      }
      let verified;
      try {
        verified = await finishAssertion(rp, parsed, record.challenge, passkey);
      } catch (error) {
        if (error instanceof PasskeyError) error.account = passkey.userId;
        if (error instanceof PasskeyError && error.code === 'ERR_PASSKEY_COUNTER') {
          // WebAuthn §6.1.1: a signature counter that does not grow is a sign the private key
          // was copied. Refused, and told to whoever watches the logs.
          logger.warn('passkey.counter_regressed', {
            user: passkey.userId,
            credential: passkey.credentialId.slice(0, 16),
            stored: passkey.counter,
          });
        }
        throw error;
      }
      const recorded = await repository.recordUse(passkey, {
        counter: verified.counter,
        backedUp: verified.backedUp,
        at: new Date(nowMs),
      });
      // Another sign-in moved the counter since it was read: this one carried a stale counter.
      if (!recorded && (verified.counter > 0 || passkey.counter > 0)) {
        const stale = new PasskeyError(
          'ERR_PASSKEY_COUNTER',
          'the counter moved during the sign-in',
        );
        stale.account = passkey.userId;
        throw stale;
      }
      return {
        passkey,
        userVerified: verified.userVerified,
        amr: amrForPasskey(passkey, verified.userVerified),
      };
    },
  };
}
