import type { Context } from 'koa';
import { DatabaseUnavailableError } from '../db/database.js';
import { KeysUnavailableError } from '../keys/key-manager.js';
import { UnknownKeyError } from '../keys/key-lifecycle.js';
import { StoreUnavailableError } from '../store/store.js';
import { AccountError, InvalidAccountInputError } from '../users/account-errors.js';

/** A field that could not be taken, RFC 9457 extension member `errors`. */
export interface FieldProblem {
  /** JSON Pointer (RFC 6901) into the body, or the query parameter's name. */
  readonly pointer: string;
  readonly detail: string;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The `type` of every problem: a URN per kind (RFC 9457 §3.1.1 allows a non-dereferenceable
 * URI), listed in the OpenAPI document's Problem schema, so clients branch on it, not on text.
 */
export const PROBLEM_TYPE_BASE = 'urn:latchkey:problem:';

/**
 * An RFC 9457 problem the admin API answers with. `type` is a short slug (`invalid-body`)
 * made absolute under PROBLEM_TYPE_BASE; the handlers throw it and admin-routes.ts writes it.
 */
export class AdminProblem extends Error {
  readonly headers: Record<string, string>;
  constructor(
    readonly status: number,
    readonly type: string,
    readonly detail: string,
    readonly extra: { errors?: readonly FieldProblem[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'AdminProblem';
    this.headers = extra.headers ?? {};
  }
}

export const badRequest = (detail: string, errors?: readonly FieldProblem[]): AdminProblem =>
  new AdminProblem(400, 'invalid-request', detail, errors ? { errors } : {});

export const notFound = (detail: string): AdminProblem =>
  new AdminProblem(404, 'not-found', detail);

/** The services' own refusals, as problems; undefined for what is not one of them. */
export function problemOfServiceError(caught: unknown): AdminProblem | undefined {
  if (caught instanceof UnknownKeyError) return notFound('no such key');
  if (
    caught instanceof StoreUnavailableError ||
    caught instanceof DatabaseUnavailableError ||
    caught instanceof KeysUnavailableError
  ) {
    return new AdminProblem(503, 'unavailable', 'a store the IdP needs is unavailable; retry', {
      headers: { 'Retry-After': '1' },
    });
  }
  if (caught instanceof InvalidAccountInputError) {
    return badRequest(caught.message, [{ pointer: `/${caught.field}`, detail: caught.message }]);
  }
  if (!(caught instanceof AccountError)) return undefined;
  switch (caught.code) {
    case 'ERR_USER_NOT_FOUND':
      return notFound('no such user');
    case 'ERR_USERNAME_TAKEN':
      return new AdminProblem(409, 'username-taken', caught.message);
    case 'ERR_EMAIL_TAKEN':
      return new AdminProblem(409, 'email-taken', caught.message);
    case 'ERR_ACCOUNT_DISABLED':
      return new AdminProblem(409, 'account-disabled', caught.message);
    case 'ERR_VERSION_MISMATCH':
      return new AdminProblem(412, 'precondition-failed', 'the user changed since that version');
    case 'ERR_PASSWORD_REFUSED':
      return badRequest(caught.message, [{ pointer: '/password', detail: caught.message }]);
    default:
      return badRequest(caught.message);
  }
}

/** Writes `problem` as `application/problem+json`, never cached. */
export function writeProblem(ctx: Context, problem: AdminProblem): void {
  ctx.status = problem.status;
  ctx.set(problem.headers);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = {
    type: `${PROBLEM_TYPE_BASE}${problem.type}`,
    title: TITLES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    ...(problem.extra.errors && { errors: problem.extra.errors }),
  };
  // After the body: Koa sets application/json for an object body.
  ctx.type = 'application/problem+json';
}
