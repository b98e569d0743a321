import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { softwareAuthenticator } from '../test-support/software-authenticator.js';
import {
  authenticationOptions,
  finishAssertion,
  readAssertion,
  registrationOptions,
  verifyRegistration,
} from './passkey-ceremonies.js';
import type { Passkey } from './passkey-repository.js';
import { MAX_CLIENT_DATA_BYTES } from './passkey-response.js';
import { relyingPartyFor } from './relying-party.js';

const rp = relyingPartyFor('http://idp.localhost:4000');
const newChallenge = () => randomBytes(32).toString('base64url');
const handle = randomBytes(32).toString('base64url');

async function enrolled(options: { backupEligible?: boolean; initialCounter?: number } = {}) {
  const authenticator = softwareAuthenticator({ rpId: rp.id, origin: rp.origin, ...options });
  const challenge = newChallenge();
  const { credential, response } = authenticator.register(challenge, handle);
  const registered = await verifyRegistration(rp, JSON.stringify(response), challenge);
  const passkey: Passkey = {
    ...registered,
    userId: 'user-1',
    name: 'test',
    createdAt: new Date(),
    lastUsedAt: null,
  };
  return { authenticator, credential, passkey };
}

async function signIn(passkey: Passkey, response: unknown, challenge: string) {
  const { parsed } = readAssertion(rp, JSON.stringify(response), challenge);
  return finishAssertion(rp, parsed, challenge, passkey);
}

describe('passkey ceremonies', () => {
  it('registration options: discoverable, UV preferred, opaque user id, existing excluded', async () => {
    const { passkey } = await enrolled();
    const options = await registrationOptions(rp, {
      challenge: newChallenge(),
      userHandle: handle,
      username: 'alice',
      displayName: 'Alice',
      existing: [passkey],
    });
    expect(options.rp).toEqual({ id: 'idp.localhost', name: 'Latchkey' });
    expect(options.user.id).toBe(handle);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'preferred',
    });
    expect(options.excludeCredentials).toEqual([
      { id: passkey.credentialId, type: 'public-key', transports: ['internal'] },
    ]);
  });

  it('authentication options for a usernameless sign-in allow any credential', async () => {
    const options = await authenticationOptions(rp, { challenge: newChallenge() });
    expect(options.allowCredentials).toEqual([]);
    expect(options.rpId).toBe('idp.localhost');
  });

  it('accepts a registration and an assertion from a software authenticator', async () => {
    const { authenticator, credential, passkey } = await enrolled();
    expect(passkey).toMatchObject({ counter: 0, backupEligible: false, transports: ['internal'] });
    const challenge = newChallenge();
    const result = await signIn(passkey, authenticator.assert(credential, challenge), challenge);
    expect(result).toEqual({ counter: 1, backedUp: false, userVerified: true });
  });

  it('a synced passkey is backup eligible', async () => {
    const { passkey } = await enrolled({ backupEligible: true });
    expect(passkey).toMatchObject({ backupEligible: true, backedUp: true });
  });

  describe('bad input', () => {
    it('another challenge: refused (registration and sign-in)', async () => {
      const authenticator = softwareAuthenticator({ rpId: rp.id, origin: rp.origin });
      const { response } = authenticator.register(newChallenge(), handle);
      await expect(
        verifyRegistration(rp, JSON.stringify(response), newChallenge()),
      ).rejects.toMatchObject({ code: 'ERR_PASSKEY_CHALLENGE' });
      const { credential, passkey } = await enrolled();
      const assertion = authenticator.assert(credential, newChallenge());
      await expect(signIn(passkey, assertion, newChallenge())).rejects.toMatchObject({
        code: 'ERR_PASSKEY_CHALLENGE',
      });
    });

    it('a wrong origin: refused', async () => {
      const authenticator = softwareAuthenticator({ rpId: rp.id, origin: rp.origin });
      const challenge = newChallenge();
      const bend = { origin: 'http://idp.localhost.evil.localhost:4000' };
      const { response } = authenticator.register(challenge, handle, bend);
      await expect(
        verifyRegistration(rp, JSON.stringify(response), challenge),
      ).rejects.toMatchObject({ code: 'ERR_PASSKEY_ORIGIN' });
      const { credential, passkey } = await enrolled();
      const assertion = authenticator.assert(credential, challenge, bend);
      await expect(signIn(passkey, assertion, challenge)).rejects.toMatchObject({
        code: 'ERR_PASSKEY_ORIGIN',
      });
    });

    it('a wrong RP ID: refused', async () => {
      const authenticator = softwareAuthenticator({ rpId: rp.id, origin: rp.origin });
      const challenge = newChallenge();
      const bend = { rpId: 'evil.localhost' };
      const { response } = authenticator.register(challenge, handle, bend);
      await expect(
        verifyRegistration(rp, JSON.stringify(response), challenge),
      ).rejects.toMatchObject({ code: 'ERR_PASSKEY_RP_ID' });
      const { credential, passkey } = await enrolled();
      const assertion = authenticator.assert(credential, challenge, bend);
      await expect(signIn(passkey, assertion, challenge)).rejects.toMatchObject({
        code: 'ERR_PASSKEY_RP_ID',
      });
    });

    it('a counter that went backwards: refused', async () => {
      const { authenticator, credential, passkey } = await enrolled({ initialCounter: 5 });
      const first = newChallenge();
      const used = await signIn(passkey, authenticator.assert(credential, first), first);
      expect(used.counter).toBe(5);
      const after = { ...passkey, counter: used.counter };
      for (const counter of [5, 4, 0]) {
        const challenge = newChallenge();
        const assertion = authenticator.assert(credential, challenge, { counter });
        await expect(signIn(after, assertion, challenge)).rejects.toMatchObject({
          code: 'ERR_PASSKEY_COUNTER',
        });
      }
    });

    it('a counter that stays 0 on an authenticator that does not count: accepted', async () => {
      const { authenticator, credential, passkey } = await enrolled({ initialCounter: 0 });
      for (let i = 0; i < 2; i++) {
        const challenge = newChallenge();
        await expect(
          signIn(passkey, authenticator.assert(credential, challenge), challenge),
        ).resolves.toMatchObject({ counter: 0 });
      }
    });

    it('a signature by another key: refused', async () => {
      const { passkey } = await enrolled();
      const other = await enrolled();
      const challenge = newChallenge();
      const forged = other.authenticator.assert(
        { ...other.credential, id: passkey.credentialId },
        challenge,
      );
      await expect(signIn(passkey, forged, challenge)).rejects.toMatchObject({
        code: 'ERR_PASSKEY_INVALID',
      });
    });

    it('a malformed CBOR attestation: refused as malformed', async () => {
      const authenticator = softwareAuthenticator({ rpId: rp.id, origin: rp.origin });
      const challenge = newChallenge();
      const { response } = authenticator.register(challenge, handle);
      const inner = response.response as Record<string, unknown>;
      for (const attestationObject of [
        Buffer.from([0xa3, 0x63, 0x66, 0x6d]).toString('base64url'),
        Buffer.from('not cbor at all').toString('base64url'),
        Buffer.from([0xff, 0xff, 0xff]).toString('base64url'),
        Buffer.from([0x01]).toString('base64url'),
      ]) {
        const bad = { ...response, response: { ...inner, attestationObject } };
        await expect(verifyRegistration(rp, JSON.stringify(bad), challenge)).rejects.toMatchObject({
          code: 'ERR_PASSKEY_MALFORMED',
        });
      }
    });

    it('an oversized clientDataJSON: refused as malformed', async () => {
      const authenticator = softwareAuthenticator({ rpId: rp.id, origin: rp.origin });
      const challenge = newChallenge();
      const clientDataJSON = Buffer.from(
        JSON.stringify({
          type: 'webauthn.create',
          challenge,
          origin: rp.origin,
          padding: 'x'.repeat(MAX_CLIENT_DATA_BYTES),
        }),
      );
      const { response } = authenticator.register(challenge, handle, { clientDataJSON });
      await expect(
        verifyRegistration(rp, JSON.stringify(response), challenge),
      ).rejects.toMatchObject({ code: 'ERR_PASSKEY_MALFORMED' });
    });

    it.each([
      undefined,
      '',
      'not json',
      '[]',
      '{}',
      '{"id":"abc","rawId":"abd","type":"public-key","response":{}}',
      '{"id":"abc","rawId":"abc","type":"password","response":{}}',
      '{"id":"abc","rawId":"abc","type":"public-key","response":{"clientDataJSON":"!!"}}',
      '{"id":"abc","rawId":"abc","type":"public-key","response":{"clientDataJSON":"e30"}}',
    ])('a response that is not one (%j): refused as malformed', async (raw) => {
      await expect(verifyRegistration(rp, raw, newChallenge())).rejects.toMatchObject({
        code: 'ERR_PASSKEY_MALFORMED',
      });
      expect(() => readAssertion(rp, raw, newChallenge())).toThrow(
        expect.objectContaining({ code: 'ERR_PASSKEY_MALFORMED' }),
      );
    });

    it('a registration response sent to sign in (ceremony type): refused', async () => {
      const authenticator = softwareAuthenticator({ rpId: rp.id, origin: rp.origin });
      const { credential } = await enrolled();
      const challenge = newChallenge();
      const assertion = authenticator.assert(credential, challenge, { type: 'webauthn.create' });
      expect(() => readAssertion(rp, JSON.stringify(assertion), challenge)).toThrow(
        expect.objectContaining({ code: 'ERR_PASSKEY_MALFORMED' }),
      );
    });
  });
});
