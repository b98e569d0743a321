import type { TokenInspection } from '@latchkey/sdk/next';

/** How the user signed in, from the verified ID token (the access token does not carry it). */
export interface Authentication {
  amr: readonly string[];
  acr: string | undefined;
}

/**
 * The access token taken apart like a JWT debugger: the three base64url segments in colour,
 * each decoded below in the same colour, and the outcome of verifying the signature. With
 * `authentication`, also the ID token's `amr` and `acr`: what a step-up changes.
 */
export function TokenInspector({
  inspection,
  authentication,
}: {
  inspection: TokenInspection;
  authentication?: Authentication;
}) {
  const [header, payload, signature] = inspection.segments;
  const kid = stringClaim(inspection.header, 'kid') ?? 'unknown';
  const alg = stringClaim(inspection.header, 'alg') ?? 'unknown';
  return (
    <section className="inspector" data-testid="token-inspector" aria-label="Token inspector">
      <p className="inspector-encoded" aria-label="Encoded access token">
        <span className="seg seg-header">{header}</span>
        <span className="seg-dot">.</span>
        <span className="seg seg-payload">{payload}</span>
        <span className="seg-dot">.</span>
        <span className="seg seg-signature">{signature}</span>
      </p>
      <div className="inspector-parts">
        <figure className="part part-header">
          <figcaption>Header</figcaption>
          <pre>{showJson(inspection.header)}</pre>
        </figure>
        <figure className="part part-payload">
          <figcaption>Payload</figcaption>
          <pre>{showJson(inspection.payload)}</pre>
        </figure>
        <figure className="part part-signature">
          <figcaption>Signature</figcaption>
          <p className="part-note">
            {alg} over <code>header.payload</code>, checked against the IdP’s published key
          </p>
          <pre>{inspection.signature}</pre>
        </figure>
      </div>
      {authentication && (
        <p className="inspector-authentication" data-testid="token-authentication">
          ID token: <code>amr</code>{' '}
          <code data-testid="token-amr">{JSON.stringify(authentication.amr)}</code>,{' '}
          <code>acr</code> <code data-testid="token-acr">{authentication.acr ?? '(none)'}</code>
        </p>
      )}
      {inspection.verified ? (
        <p className="verdict verdict-ok" data-testid="verified" data-verified="true">
          <VerdictIcon ok /> Signature verified with key <code>{kid}</code> ({alg})
        </p>
      ) : (
        // Worded without "verified" so that a test looking for that word cannot pass on failure.
        <p className="verdict verdict-bad" data-testid="verified" data-verified="false">
          <VerdictIcon ok={false} /> Signature check failed: <code>{inspection.error.code}</code>{' '}
          {inspection.error.message}
        </p>
      )}
    </section>
  );
}

function VerdictIcon({ ok }: { ok: boolean }) {
  return (
    <svg className="verdict-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <circle cx="8" cy="8" r="8" fill="currentColor" />
      <path
        d={ok ? 'M4.5 8.2l2.3 2.3 4.7-4.9' : 'M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6'}
        stroke="#fff"
        strokeWidth="1.8"
        fill="none"
        strokeLinecap="round"
      />
    </svg>
  );
}

function showJson(part: Record<string, unknown> | undefined): string {
  return part === undefined ? '(not valid base64url JSON)' : JSON.stringify(part, null, 2);
}

function stringClaim(
  claims: Record<string, unknown> | undefined,
  name: string,
): string | undefined {
  const value = claims?.[name];
  return typeof value === 'string' ? value : undefined;
}
