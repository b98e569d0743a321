'use server';

import type { ActionResult } from './action-result';
import { adminAction, idField, missing } from './admin-action';
import { adminApi } from '../lib/admin-api';

export async function rotateKeys(): Promise<ActionResult> {
  return adminAction('/keys', async ({ accessToken }) => {
    await adminApi(accessToken, 'POST', '/keys/rotate');
    return {
      ok: true,
      message:
        'Rotated: new keys sign from now on; the old ones stay published until their tokens expire.',
    };
  });
}

export async function revokeKey(_: ActionResult, form: FormData): Promise<ActionResult> {
  const kid = idField(form, 'kid');
  if (kid === null) return missing('key');
  return adminAction('/keys', async ({ accessToken }) => {
    await adminApi(accessToken, 'POST', `/keys/${encodeURIComponent(kid)}/revoke`);
    return {
      ok: true,
      message: `Key ${kid} is revoked: removed from the JWKS, and every token it signed is refused.`,
    };
  });
}
