'use server';

import type { ActionResult } from './action-result';
import { adminAction, idField, missing } from './admin-action';
import { adminApi } from '../lib/admin-api';
import type { AdminClient } from '../lib/admin-types';
import { GRANT_CHOICES } from '../lib/client-choices';

const GRANTS = new Set<string>(GRANT_CHOICES);
const APPLICATION_TYPES = new Set(['web', 'native']);
const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'none']);

const text = (form: FormData, name: string, max: number): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
};

/**
 * Registers a client through the admin API, which applies the same rules as CLIENTS_FILE; what
 * it refuses comes back as its problem's detail. A confidential client's secret is generated
 * by the IdP and shown here once.
 */
export async function registerClient(_: ActionResult, form: FormData): Promise<ActionResult> {
  const clientId = text(form, 'client_id', 100);
  const method = text(form, 'token_endpoint_auth_method', 40);
  const grants = form.getAll('grant_types').filter((g): g is string => typeof g === 'string');
  const redirectUris = lines(text(form, 'redirect_uris', 4000));
  const webOrigins = lines(text(form, 'web_origins', 4000));
  const resources = lines(text(form, 'resources', 4000));
  const applicationType = text(form, 'application_type', 10) || 'web';
  if (
    !AUTH_METHODS.has(method) ||
    !APPLICATION_TYPES.has(applicationType) ||
    !grants.every((grant) => GRANTS.has(grant))
  ) {
    return { ok: false, message: 'Choose a client type and grant types from the lists.' };
  }
  // Only what differs from the IdP's defaults is sent: a field left alone stays the default.
  const checked = (name: string) => form.get(name) === 'on';
  return adminAction('/clients', async ({ accessToken }) => {
    const client = await adminApi<AdminClient>(accessToken, 'POST', '/clients', {
      ...(clientId !== '' && { client_id: clientId }),
      client_name: text(form, 'client_name', 200),
      token_endpoint_auth_method: method,
      grant_types: grants,
      ...(redirectUris.length > 0 && { redirect_uris: redirectUris }),
      ...(resources.length > 0 && { resources }),
      ...(text(form, 'scope', 500) !== '' && { scope: text(form, 'scope', 500) }),
      ...(applicationType === 'native' && { application_type: 'native' }),
      ...(webOrigins.length > 0 && { web_origins: webOrigins }),
      ...(checked('third_party') && { first_party: false }),
      ...(checked('dpop') && { dpop_bound_access_tokens: true }),
      ...(checked('par') && { require_pushed_authorization_requests: true }),
    });
    return {
      ok: true,
      message: `Registered ${client.client_id}.${client.client_secret ? ' Its secret is shown once: store it now.' : ''}`,
      ...(client.client_secret && {
        secret: { label: `client_secret of ${client.client_id}`, value: client.client_secret },
      }),
    };
  });
}

const lines = (value: string): string[] => value.split(/\s+/).filter((item) => item !== '');

export async function rotateClientSecret(_: ActionResult, form: FormData): Promise<ActionResult> {
  const id = idField(form, 'client_id');
  if (id === null) return missing('client');
  return adminAction('/clients', async ({ accessToken }) => {
    const client = await adminApi<AdminClient>(
      accessToken,
      'POST',
      `/clients/${encodeURIComponent(id)}/rotate-secret`,
    );
    return {
      ok: true,
      message: `New secret for ${client.client_id}; the old one no longer works. Shown once.`,
      ...(client.client_secret && {
        secret: { label: 'client_secret', value: client.client_secret },
      }),
    };
  });
}
