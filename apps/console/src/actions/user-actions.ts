'use server';

import type { ActionResult } from './action-result';
import { adminAction, idField, missing } from './admin-action';
import { adminApi } from '../lib/admin-api';
import type { AdminUser } from '../lib/admin-types';

const userPath = (id: string) => `/users/${encodeURIComponent(id)}`;

/** Disabling ends every session of the user at once (the IdP revokes them and tells each app). */
export async function disableUser(_: ActionResult, form: FormData): Promise<ActionResult> {
  const id = idField(form, 'id');
  if (id === null) return missing('user');
  return adminAction(userPath(id), async ({ accessToken }) => {
    const user = await adminApi<AdminUser>(accessToken, 'POST', `${userPath(id)}/disable`);
    return { ok: true, message: `${user.username} is disabled and signed out everywhere.` };
  });
}

export async function enableUser(_: ActionResult, form: FormData): Promise<ActionResult> {
  const id = idField(form, 'id');
  if (id === null) return missing('user');
  return adminAction(userPath(id), async ({ accessToken }) => {
    const user = await adminApi<AdminUser>(accessToken, 'POST', `${userPath(id)}/enable`);
    return { ok: true, message: `${user.username} can sign in again.` };
  });
}

export async function sendResetLink(_: ActionResult, form: FormData): Promise<ActionResult> {
  const id = idField(form, 'id');
  if (id === null) return missing('user');
  return adminAction(userPath(id), async ({ accessToken }) => {
    const link = await adminApi<{ url: string; purpose: string; expires_at: string }>(
      accessToken,
      'POST',
      `${userPath(id)}/reset-link`,
    );
    return {
      ok: true,
      message: `A single-use ${link.purpose === 'invite' ? 'invitation' : 'password reset'} link, valid until ${new Date(link.expires_at).toUTCString()}. Pass it on to the user; it is not shown again.`,
      secret: { label: 'Link', value: link.url },
    };
  });
}

export async function signOutEverywhere(_: ActionResult, form: FormData): Promise<ActionResult> {
  const id = idField(form, 'id');
  if (id === null) return missing('user');
  return adminAction(userPath(id), async ({ accessToken }) => {
    const { revoked } = await adminApi<{ revoked: number }>(
      accessToken,
      'DELETE',
      `${userPath(id)}/sessions`,
    );
    return { ok: true, message: `Signed out everywhere: ${revoked} session(s) ended.` };
  });
}
