import 'server-only';
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import type { LatchkeySession } from '@latchkey/sdk/next';
import { config } from '../config';
import { requireAdmin } from '../lib/admin-gate';
import { AdminApiError } from '../lib/admin-api';
import { isSameOrigin } from '../lib/same-origin';
import type { ActionResult } from './action-result';

const appOrigin = new URL(config.appUrl).origin;

/**
 * The checks every console action makes before it changes anything: the request comes from a
 * console page (CSRF), the session is an admin's (the same gate as the pages); then `run` calls
 * the admin API with the admin's token. The API's refusals become a readable result; the
 * pages are re-rendered with what changed.
 */
export async function adminAction(
  returnTo: string,
  run: (session: LatchkeySession) => Promise<ActionResult>,
): Promise<ActionResult> {
  if (!isSameOrigin(await headers(), appOrigin)) {
    return { ok: false, message: 'Refused: the request did not come from a console page.' };
  }
  const session = await requireAdmin(returnTo);
  try {
    const result = await run(session);
    revalidatePath('/', 'layout');
    return result;
  } catch (error) {
    if (error instanceof AdminApiError) return { ok: false, message: error.message };
    throw error;
  }
}

/** A short identifier from a form field (user id, sid, kid, client id), or null. */
export function idField(form: FormData, name: string): string | null {
  const value = form.get(name);
  return typeof value === 'string' && value !== '' && value.length <= 200 ? value : null;
}

export const missing = (what: string): ActionResult => ({
  ok: false,
  message: `No ${what} given.`,
});
