import { SSF_DELIVERY_POLL, SSF_DELIVERY_PUSH } from '@latchkey/protocol';

/**
 * SSF 1.0 §7.1: the transmitter configuration metadata at /.well-known/ssf-configuration.
 * Receivers authenticate with OAuth 2.0 (RFC 6749): a client_credentials token from this
 * issuer with the `ssf.manage` scope. default_subjects ALL: a new stream carries events about
 * every user until the receiver removes some.
 */
export function ssfConfiguration(issuer: string): Record<string, unknown> {
  return {
    spec_version: '1_0',
    issuer,
    jwks_uri: `${issuer}/jwks`,
    delivery_methods_supported: [SSF_DELIVERY_PUSH, SSF_DELIVERY_POLL],
    configuration_endpoint: `${issuer}/ssf/streams`,
    status_endpoint: `${issuer}/ssf/status`,
    add_subject_endpoint: `${issuer}/ssf/subjects/add`,
    remove_subject_endpoint: `${issuer}/ssf/subjects/remove`,
    verification_endpoint: `${issuer}/ssf/verify`,
    critical_subject_members: ['user'],
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
    default_subjects: 'ALL',
  };
}
