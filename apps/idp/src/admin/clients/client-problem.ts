import { ClientError, InvalidClientMetadataError } from '../../clients/client-errors.js';
import { REGISTRATION_FIELDS } from '../../clients/client-validation.js';
import { AdminProblem, badRequest, notFound, type FieldProblem } from '../admin-problem.js';

/** The clients service's refusals as RFC 9457 problems; anything else passes through. */
export function clientProblem(caught: unknown): unknown {
  if (!(caught instanceof ClientError)) return caught;
  if (caught instanceof InvalidClientMetadataError) {
    return badRequest('the client metadata cannot be taken', caught.problems.map(fieldProblem));
  }
  switch (caught.code) {
    case 'ERR_CLIENT_NOT_FOUND':
      return notFound('no such client');
    case 'ERR_CLIENT_ID_TAKEN':
      return new AdminProblem(409, 'client-id-taken', caught.message);
    case 'ERR_CLIENT_VERSION_MISMATCH':
      return new AdminProblem(412, 'precondition-failed', 'the client changed since that version');
    default:
      return badRequest(caught.message);
  }
}

/** A problem line names its field first (`redirect_uris: ...`) when it is about one. */
function fieldProblem(detail: string): FieldProblem {
  const field = REGISTRATION_FIELDS.find(
    (name) => detail.startsWith(`${name} `) || detail.startsWith(`${name}:`),
  );
  return { pointer: field ? `/${field}` : '', detail };
}
