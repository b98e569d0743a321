import { describe, expect, it } from 'vitest';
import { acceptsAny2xx, verdictFor } from './attempt-result.js';

const answered = (status: number) => ({ type: 'answered', status }) as const;

describe('verdictFor', () => {
  it.each([200, 202, 204])('counts %i as delivered', (status) => {
    expect(verdictFor(answered(status), acceptsAny2xx)).toBe('delivered');
  });

  it.each([500, 502, 503, 504, 429, 408])('retries a recoverable %i', (status) => {
    expect(verdictFor(answered(status), acceptsAny2xx)).toBe('retry');
  });

  it.each([400, 401, 403, 404, 413])('does not retry a %i', (status) => {
    expect(verdictFor(answered(status), acceptsAny2xx)).toBe('give_up');
  });

  it.each([301, 302, 303, 307, 308])(
    'treats a redirect (%i) as a failure, not followed',
    (status) => {
      expect(verdictFor(answered(status), acceptsAny2xx)).toBe('give_up');
    },
  );

  it('retries when there was no answer (refused, timeout)', () => {
    expect(verdictFor({ type: 'unreachable', reason: 'ECONNREFUSED' }, acceptsAny2xx)).toBe(
      'retry',
    );
  });

  it('gives up on a blocked target without retrying', () => {
    expect(verdictFor({ type: 'blocked', reason: 'not loopback' }, acceptsAny2xx)).toBe('give_up');
  });

  it("follows the kind's own idea of success", () => {
    const only202 = (status: number) => status === 202;
    expect(verdictFor(answered(202), only202)).toBe('delivered');
    expect(verdictFor(answered(200), only202)).toBe('give_up');
  });
});
