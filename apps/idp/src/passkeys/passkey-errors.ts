/**
 * Why a WebAuthn response was refused. One class, one stable `code` per reason a caller or a
 * test can tell apart; the pages answer every one with the same readable refusal (400), and
 * the log line names the code. None of them is a 500.
 */
export type PasskeyErrorCode =
  /** Not a response at all: bad JSON, missing fields, bad base64url, bad CBOR, too large. */
  | 'ERR_PASSKEY_MALFORMED'
  /** The challenge is not the one this ceremony issued, or was used or expired. */
  | 'ERR_PASSKEY_CHALLENGE'
  /** clientDataJSON names another origin than the issuer's (a phishing site's). */
  | 'ERR_PASSKEY_ORIGIN'
  /** The authenticator data is scoped to another RP ID. */
  | 'ERR_PASSKEY_RP_ID'
  /** No such credential, or one of another user than the ceremony was for. */
  | 'ERR_PASSKEY_CREDENTIAL'
  /** The signature counter did not grow: possibly a cloned authenticator. */
  | 'ERR_PASSKEY_COUNTER'
  /** The credential id is registered already. */
  | 'ERR_PASSKEY_DUPLICATE'
  /** The library refused it (signature, flags, algorithm, attestation). */
  | 'ERR_PASSKEY_INVALID';

export class PasskeyError extends Error {
  /**
   * The user whose registered credential made a refused assertion (bad signature, counter):
   * for the audit trail. Unset while no registered credential is known.
   */
  account?: string;
  constructor(
    readonly code: PasskeyErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PasskeyError';
  }
}
