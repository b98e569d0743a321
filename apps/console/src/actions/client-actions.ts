'use server';

import type { ActionResult } from './action-result';
import { adminAction, idField, missing } from './admin-action';
import { adminApi } from '../lib/admin-api';
import type { AdminClient } from '../lib/admin-types';

const GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials']);
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
  const redirectUris = text(form, 'redirect_uris', 4000)
    .split(/\s+/)
    .filter((uri) => uri !== '');
  if (!AUTH_METHODS.has(method) || !grants.every((grant) => GRANTS.has(grant))) {
    return { ok: false, message: 'Choose a client type and grant types from the lists.' };
  }
  return adminAction('/clients', async ({ accessToken }) => {
    const client = await adminApi<AdminClient>(accessToken, 'POST', '/clients', {
      ...(clientId !== '' && { client_id: clientId }),
      client_name: text(form, 'client_name', 200),
      token_endpoint_auth_method: method,
      grant_types: grants,
      ...(redirectUris.length > 0 && { redirect_uris: redirectUris }),
      ...(text(form, 'scope', 500) !== '' && { scope: text(form, 'scope', 500) }),
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
