/**
 * What the clients service refuses, one class per failure a caller acts on differently (the
 * admin API's status: 400, 404, 409). Callers test `code`.
 */
export class ClientError extends Error {
  readonly code: string = 'ERR_CLIENT';
}

/** 404: no live client has this id. */
export class ClientNotFoundError extends ClientError {
  override readonly code = 'ERR_CLIENT_NOT_FOUND';
  constructor() {
    super('no such client');
    this.name = 'ClientNotFoundError';
  }
}

/**
 * 409: the id is taken, by a live client or by a deleted one (the ids of deleted clients are
 * never reused: codes and refresh tokens name their client by id).
 */
export class ClientIdTakenError extends ClientError {
  override readonly code = 'ERR_CLIENT_ID_TAKEN';
  constructor(readonly deleted: boolean) {
    super(
      deleted
        ? 'client_id belonged to a deleted client; ids are not reused'
        : 'client_id is already registered',
    );
    this.name = 'ClientIdTakenError';
  }
}

/** 400: the registration breaks a rule; `problems` holds one line per broken rule. */
export class InvalidClientMetadataError extends ClientError {
  override readonly code = 'ERR_INVALID_CLIENT_METADATA';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'InvalidClientMetadataError';
  }
}

/** 400: the request makes no sense for this client (a public client has no secret to rotate). */
export class ClientOperationError extends ClientError {
  override readonly code = 'ERR_CLIENT_OPERATION';
  constructor(message: string) {
    super(message);
    this.name = 'ClientOperationError';
  }
}

/** 412: the caller named a version (If-Match) and the client has changed since. */
export class ClientVersionMismatchError extends ClientError {
  override readonly code = 'ERR_CLIENT_VERSION_MISMATCH';
  constructor() {
    super('the client changed since that version');
    this.name = 'ClientVersionMismatchError';
  }
}
