import { CompactSign, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { BadHintError, verifyIdTokenHint } from './id-token-hint.js';

const ISSUER = 'http://idp.localhost:4000';

async function keyAndSet() {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  return { privateKey, getKey: createLocalJWKSet({ keys: [jwk] }) };
}

describe('verifyIdTokenHint', () => {
  // Found by reliability/hostile-input.test.ts: a signed payload of `null` crashed the
  // claim reads and /logout answered 500.
  it.each(['null', '7', '"text"', 'true'])(
    'bug: a hint of our signature whose payload is %s is refused as malformed, not a crash',
    async (payload) => {
      const { privateKey, getKey } = await keyAndSet();
      const hint = await new CompactSign(new TextEncoder().encode(payload))
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .sign(privateKey);
      await expect(verifyIdTokenHint(hint, getKey, ISSUER)).rejects.toBeInstanceOf(BadHintError);
    },
  );
});
