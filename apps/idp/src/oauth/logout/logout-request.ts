import { MAX_TOKEN_LENGTH } from '@latchkey/protocol';
import type { Context } from 'koa';
import type { Client, ClientRegistry } from '../../clients/client.js';
import { readForm } from '../form-body.js';
import { OAuthError } from '../oauth-errors.js';
import type { OwnJwsReader } from '../../tokens/own-token-reader.js';
import { BadHintError, verifyIdTokenHint, type IdTokenHint } from './id-token-hint.js';

/** A logout request whose every parameter has been checked (RP-Initiated Logout §2, §3). */
export interface LogoutRequest {
  hint: IdTokenHint | null;
  client: Client | undefined;
  /** Only ever a URI registered for `client`, exactly. */
  postLogoutRedirectUri: string | undefined;
  state: string | undefined;
  /** The confirmation form was submitted (POST), with this CSRF token. */
  confirmation: { csrf: string | undefined } | null;
}

/** A request that must be refused with an error page; the message is safe to show. */
export class LogoutRequestError extends Error {}

const NAMES = [
  'id_token_hint',
  'client_id',
  'post_logout_redirect_uri',
  'state',
  'confirm',
  'csrf',
];
const MAX_LENGTH = 4096;
/** The hint is a token: the token core's limit applies, as at every other door. */
const maxLength = (name: string): number =>
  name === 'id_token_hint' ? MAX_TOKEN_LENGTH : MAX_LENGTH;

export async function readLogoutRequest(
  ctx: Context,
  deps: {
    clients: ClientRegistry;
    issuer: string;
    read: OwnJwsReader;
    now: () => number;
  },
): Promise<LogoutRequest> {
  const params = await readParams(ctx);
  const hintText = params.get('id_token_hint');
  let hint: IdTokenHint | null = null;
  if (hintText !== undefined) {
    try {
      hint = verifyIdTokenHint(hintText, deps.read, deps.issuer, deps.now());
    } catch (error) {
      if (error instanceof BadHintError) throw new LogoutRequestError(error.message);
      throw error;
    }
  }

  const clientId = params.get('client_id');
  if (clientId !== undefined && hint && !hint.aud.includes(clientId)) {
    throw new LogoutRequestError('client_id does not match the id_token_hint');
  }
  const client = deps.clients.find(clientId ?? hint?.azp ?? hint?.aud[0] ?? '');
  if (clientId !== undefined && !client) throw new LogoutRequestError('unknown client_id');

  const postLogoutRedirectUri = params.get('post_logout_redirect_uri');
  if (postLogoutRedirectUri !== undefined) {
    // §3: only a URI registered for the client the request identifies, compared exactly.
    if (!client) {
      throw new LogoutRequestError(
        'post_logout_redirect_uri needs client_id or id_token_hint to name the application',
      );
    }
    if (!client.postLogoutRedirectUris.includes(postLogoutRedirectUri)) {
      throw new LogoutRequestError(
        'post_logout_redirect_uri is not registered for this application',
      );
    }
  }
  return {
    hint,
    client,
    postLogoutRedirectUri,
    state: params.get('state'),
    confirmation:
      ctx.method === 'POST' && params.get('confirm') === 'yes'
        ? { csrf: params.get('csrf') }
        : null,
  };
}

/** GET: the query; POST: the form (§2 allows both). Each parameter once, bounded in length. */
async function readParams(ctx: Context): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  let source: URLSearchParams | null = null;
  if (ctx.method === 'POST') {
    try {
      const form = await readForm(ctx, { maxValueLength: MAX_TOKEN_LENGTH });
      for (const name of NAMES) {
        const value = form.single(name);
        if (value !== undefined && value.length > maxLength(name)) {
          throw new LogoutRequestError(`parameter ${name} is too long`);
        }
        if (value !== undefined) values.set(name, value);
      }
    } catch (error) {
      if (error instanceof OAuthError) throw new LogoutRequestError(error.description);
      throw error;
    }
    return values;
  }
  source = new URLSearchParams(ctx.querystring);
  for (const name of NAMES) {
    const all = source.getAll(name).filter((value) => value !== '');
    if (all.length > 1)
      throw new LogoutRequestError(`parameter ${name} is included more than once`);
    const value = all[0];
    if (value === undefined) continue;
    if (value.length > maxLength(name))
      throw new LogoutRequestError(`parameter ${name} is too long`);
    values.set(name, value);
  }
  return values;
}
