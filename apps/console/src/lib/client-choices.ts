/** The grant types the console's registration form offers (the IdP's, RFC 7591 names). */
export const GRANT_CHOICES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
] as const;

/** A grant's label in the form: the device grant's URN is long and says little to a person. */
export const grantLabel = (grant: string): string =>
  grant === 'urn:ietf:params:oauth:grant-type:device_code' ? 'device_code (TVs, CLIs)' : grant;
