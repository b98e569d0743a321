export interface WikiPage {
  slug: string;
  title: string;
  summary: string;
  body: readonly string[];
}

/** The wiki's demo content: short articles on what the demo itself does. */
export const PAGES: readonly WikiPage[] = [
  {
    slug: 'single-sign-on',
    title: 'Single sign-on',
    summary: 'One login at the identity provider, every app trusts it.',
    body: [
      'With single sign-on a person proves who they are once, to the identity provider (IdP), and every application that trusts that IdP lets them in without asking for a password again.',
      'The shop and this wiki live on different sites, so they share no cookies. When you open the wiki after signing in to the shop, the wiki sends your browser to the IdP, which recognises its own session cookie and sends you straight back with a fresh authorization code.',
      'Logging out of one app ends the IdP session, and with it the session in every app.',
    ],
  },
  {
    slug: 'access-tokens',
    title: 'Access tokens',
    summary: 'Signed JWTs that say who you are, for which API, until when.',
    body: [
      'An access token is a JSON Web Token signed by the IdP (RFC 9068). It names the user (sub), the API it is meant for (aud), the scopes granted and when it expires.',
      'An API checks the signature against the keys the IdP publishes at /jwks, then the claims. No call to the IdP is needed, which is why a token check takes microseconds.',
      'The shop calls this wiki’s API with the very token you signed in with: the wiki accepts it because its audience includes the wiki’s API.',
    ],
  },
  {
    slug: 'key-rotation',
    title: 'Key rotation',
    summary: 'Signing keys are published before they sign and kept after they retire.',
    body: [
      'Each signing key goes from pending (published, not yet signing) to active (signing) to retired (published until every token it signed has expired).',
      'Because a new key is in the published set before the first token carries its kid, a verifier with a cached key set never meets an unknown key during a normal rotation.',
    ],
  },
  {
    slug: 'revocation',
    title: 'Revocation',
    summary: 'A revoked session stops working everywhere within milliseconds.',
    body: [
      'Signed tokens cannot be recalled, so Latchkey records revoked sessions in Redis and publishes a notice. Every app keeps the revoked set in memory and applies notices as they arrive.',
      'An app that cannot confirm its revoked set for too long fails closed: it refuses tokens rather than accept one that might have been revoked.',
    ],
  },
  {
    slug: 'pkce',
    title: 'PKCE',
    summary: 'Proof that the app redeeming a code is the one that asked for it.',
    body: [
      'Proof Key for Code Exchange (RFC 7636) binds an authorization code to a secret the app made up before sending you to the IdP. Only the hash of the secret travels through the browser.',
      'A stolen authorization code is useless without the secret, which never left the app’s server.',
    ],
  },
];

export function findPage(slug: string): WikiPage | undefined {
  return PAGES.find((page) => page.slug === slug);
}
