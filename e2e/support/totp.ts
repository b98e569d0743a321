import { sleep } from '@latchkey/testing';
import { TOTP } from 'otpauth';

const PERIOD_S = 30;
/** From computing a code to the IdP checking it: filling the field and submitting. */
const TYPING_MS = 5_000;

/**
 * What an authenticator app shows for a secret (RFC 6238: SHA-1, six digits, 30 s), computed
 * with the otpauth library as an app would, never with the IdP's own code. The IdP accepts
 * one step either side of now and each step once (a replayed code is refused), so each code
 * handed out is for the earliest step not yet used that the window still accepts: a test
 * needing a few codes need not wait for the clock to tick.
 */
export function authenticatorApp(secret: string): { nextCode(): Promise<string> } {
  const totp = new TOTP({ secret, digits: 6, period: PERIOD_S, algorithm: 'SHA1' });
  let lastStep = -Infinity;
  const stepAt = (ms: number) => Math.floor(ms / 1000 / PERIOD_S);
  return {
    async nextCode() {
      // The IdP's step when the code reaches it, at the latest: the code must still be in
      // its window then, even when the clock ticks over between here and there.
      const arriving = stepAt(Date.now() + TYPING_MS);
      const step = Math.max(lastStep + 1, arriving - 1);
      // Past the window's far edge now: wait until the clock brings it within.
      while (step > stepAt(Date.now()) + 1) await sleep(500);
      lastStep = step;
      return totp.generate({ timestamp: step * PERIOD_S * 1000 });
    },
  };
}
