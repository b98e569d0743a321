import { OAuthError } from '../oauth/oauth-errors.js';

/**
 * The stream API's errors, with the status SSF 1.0 §8.1 gives each case and the RFC 6749
 * body every Latchkey endpoint answers with.
 */
export class StreamNotFoundError extends OAuthError {
  /** Unknown and another receiver's streams look the same: a stream id reveals nothing. */
  constructor() {
    super('not_found', 404, 'no stream with this stream_id for this receiver');
  }
}

export class StreamRequestError extends OAuthError {
  constructor(description: string, status = 400) {
    super('invalid_request', status, description);
  }
}
