import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Server nonces for DPoP (RFC 9449 §8): a time step and its HMAC, so any IdP instance sharing
 * KEY_ENCRYPTION_KEY can check a nonce another one issued, with nothing stored. A nonce is good
 * during its step and the next one, so one handed out just before a step ends still works.
 */
export interface DpopNonces {
  /** The nonce to hand out now. */
  current(): string;
  isValid(nonce: string): boolean;
}

const STEP_MS = 5 * 60_000;

export function createDpopNonces(secret: Buffer, now: () => number): DpopNonces {
  // A key of its own, so a nonce can never be mistaken for anything else made with the KEK.
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'latchkey dpop nonce', 32));
  const mac = (step: number) =>
    createHmac('sha256', key).update(String(step)).digest().subarray(0, 16);
  const nonceFor = (step: number) => `${step.toString(36)}.${mac(step).toString('base64url')}`;
  return {
    current: () => nonceFor(Math.floor(now() / STEP_MS)),
    isValid(nonce) {
      const match = /^([0-9a-z]{1,12})\.([\w-]{22})$/.exec(nonce);
      if (!match) return false;
      const step = parseInt(match[1]!, 36);
      const currentStep = Math.floor(now() / STEP_MS);
      if (step !== currentStep && step !== currentStep - 1) return false;
      return timingSafeEqual(Buffer.from(match[2]!, 'base64url'), mac(step));
    },
  };
}
