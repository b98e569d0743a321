/**
 * Plain http is acceptable only for loopback hosts (local development and tests): anywhere
 * else an on-path attacker could swap the key set or the discovery document. The IdP applies
 * this to its issuer, the SDK to the issuer and JWKS URLs it is given, with one rule.
 * `hostname` is as `URL` gives it (IPv6 in brackets).
 */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}
