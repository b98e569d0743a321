'use server';

import type { ActionResult } from './action-result';
import { adminAction, idField, missing } from './admin-action';
import { adminApi } from '../lib/admin-api';

export async function revokeSession(_: ActionResult, form: FormData): Promise<ActionResult> {
  const sid = idField(form, 'sid');
  if (sid === null) return missing('session');
  return adminAction('/sessions', async ({ accessToken }) => {
    await adminApi(accessToken, 'DELETE', `/sessions/${encodeURIComponent(sid)}`);
    return { ok: true, message: 'The session ended in every app.' };
  });
}
