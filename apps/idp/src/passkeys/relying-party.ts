/**
 * Who we are to authenticators: the RP ID is the issuer's host name and the only origin
 * accepted is the issuer's own (WebAuthn §5.1.4.1: an RP ID must be a registrable suffix of
 * the origin; the host itself is the narrowest choice, so no sibling host can use our keys).
 */
export interface RelyingParty {
  readonly id: string;
  readonly name: string;
  readonly origin: string;
}

export function relyingPartyFor(issuer: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, name: 'Latchkey', origin: url.origin };
}
