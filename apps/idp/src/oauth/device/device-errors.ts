import { OAuthError } from '../oauth-errors.js';

/**
 * RFC 8628 §3.5 token-endpoint answers to a polling device. `authorization_pending` and
 * `slow_down` are the normal course of a poll, not refusals: `routine` keeps them out of the
 * audit trail, which would otherwise get a line every few seconds per waiting device.
 */
export class DevicePollError extends OAuthError {
  constructor(
    error: 'authorization_pending' | 'slow_down' | 'expired_token' | 'access_denied',
    description: string,
    readonly routine = false,
  ) {
    super(error, 400, description);
  }
}

export const authorizationPending = () =>
  new DevicePollError('authorization_pending', 'the user has not approved the device yet', true);

export const slowDown = (intervalSec: number) =>
  new DevicePollError(
    'slow_down',
    `polling too fast; wait at least ${intervalSec} s between requests`,
    true,
  );

export const expiredToken = () =>
  new DevicePollError('expired_token', 'the device code has expired; start again');

export const accessDenied = () =>
  new DevicePollError('access_denied', 'the user denied the authorization request');
