import { randomBytes } from 'node:crypto';
import type { SigningAlgorithm } from '@latchkey/protocol';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { AuditActor, RequestFacts } from '../audit/audit-event.js';
import type { Client, StoredClient } from './client.js';
import {
  ClientIdTakenError,
  ClientNotFoundError,
  ClientOperationError,
  ClientVersionMismatchError,
  InvalidClientMetadataError,
} from './client-errors.js';
import { registrationOf } from './client-metadata.js';
import type { ClientPage, ClientRepository } from './client-repository.js';
import { digestSecret } from './client-secret.js';
import { validateRegistration } from './client-validation.js';

/** Who asks, and from where: recorded with every change. */
export interface ClientActor {
  readonly actor: AuditActor;
  readonly request?: RequestFacts | undefined;
}

/** A change's result; `secret` is shown once (the IdP keeps only its digest) or is null. */
export interface ClientWithSecret {
  readonly client: StoredClient;
  readonly secret: string | null;
}

/**
 * The one service through which clients are registered and changed: the admin API calls it
 * (and a CLI would). Input is RFC 7591 metadata, checked by the rules CLIENTS_FILE obeys
 * (client-validation.ts). Every change is committed, recorded in the audit trail with its
 * actor, and then loaded into this instance's registry (others see it within their refresh).
 */
export interface ClientService {
  list(query?: { after?: string | null; limit?: number }): Promise<ClientPage>;
  /** Throws ClientNotFoundError. */
  find(id: string): Promise<StoredClient>;
  /**
   * A new client. `client_id` is optional (one is generated); a confidential client's secret
   * is always generated (`client_secret` in the input is refused) and returned once.
   */
  register(metadata: unknown, by: ClientActor): Promise<ClientWithSecret>;
  /**
   * Changes the fields given, leaving the others (JSON merge patch, RFC 7396: null resets a
   * field to its default). Turning a public client confidential generates its secret.
   * `ifVersion`: refuse (ClientVersionMismatchError) unless the client is still at it.
   */
  update(
    id: string,
    patch: unknown,
    by: ClientActor,
    options?: { ifVersion?: number },
  ): Promise<ClientWithSecret>;
  /** A new secret, returned once; the old one stops working on this instance at once. */
  rotateSecret(id: string, by: ClientActor): Promise<{ client: StoredClient; secret: string }>;
  /**
   * The client can no longer authenticate, so no grant of it (codes, refresh tokens, client
   * credentials) is honoured again; its id stays taken.
   */
  delete(id: string, by: ClientActor): Promise<void>;
}

/** 256 random bits, base64url: a client secret. */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function createClientService(deps: {
  repository: ClientRepository;
  /** Loads the table into this instance's registry (stored-client-registry.ts). */
  reload: () => Promise<void>;
  audit: AuditTrail;
  /** What the keys sign: a client asking for another ID token alg could never log in. */
  signingAlgorithms: readonly SigningAlgorithm[];
  production: boolean;
}): ClientService {
  const { repository, audit } = deps;

  const validate = (registration: Record<string, unknown>): Client => {
    const result = validateRegistration(registration, {
      production: deps.production,
      strict: true,
    });
    if (!result.client) throw new InvalidClientMetadataError(result.problems);
    const alg = result.client.idTokenSignedResponseAlg;
    if (!deps.signingAlgorithms.includes(alg)) {
      throw new InvalidClientMetadataError([
        `id_token_signed_response_alg ${alg} is not signed by this IdP ` +
          `(it signs with ${deps.signingAlgorithms.join(', ')})`,
      ]);
    }
    return result.client;
  };

  const record = (type: string, id: string, by: ClientActor, detail = {}) =>
    audit.record({ type, actor: by.actor, client: id, request: by.request, detail });

  return {
    list: (query) => repository.list(query),

    async find(id) {
      const client = await repository.find(id);
      if (!client) throw new ClientNotFoundError();
      return client;
    },

    async register(metadata, by) {
      const input = metadataObject(metadata);
      refuseSecretFields(input);
      const registration: Record<string, unknown> = {
        client_id: randomBytes(16).toString('base64url'),
        ...input,
      };
      const confidential =
        (registration.token_endpoint_auth_method ?? 'client_secret_basic') !== 'none';
      const secret = confidential ? newClientSecret() : null;
      const client = validate({ ...registration, ...(secret && { client_secret: secret }) });
      const created = await repository.create(client);
      if (typeof created === 'string') throw new ClientIdTakenError(created === 'deleted');
      await deps.reload();
      await record('client.registered', client.id, by, {
        auth_method: client.authMethod,
        grant_types: client.grantTypes.join(' '),
      });
      return { client: created, secret };
    },

    async update(id, patch, by, options = {}) {
      const changes = metadataObject(patch);
      refuseSecretFields(changes);
      if ('client_id' in changes && changes.client_id !== id) {
        throw new InvalidClientMetadataError(['client_id cannot change']);
      }
      let secret = null as string | null;
      const updated = await repository.change(id, (current) => {
        if (options.ifVersion !== undefined && options.ifVersion !== current.version) {
          throw new ClientVersionMismatchError();
        }
        const merged = registrationOf(current);
        for (const [field, value] of Object.entries(changes)) {
          if (value === null) delete merged[field];
          else merged[field] = value;
        }
        const confidential =
          (merged.token_endpoint_auth_method ?? 'client_secret_basic') !== 'none';
        if (!confidential) delete merged.client_secret_sha256;
        else if (!merged.client_secret_sha256) {
          secret = newClientSecret();
          merged.client_secret = secret;
        }
        return validate(merged);
      });
      if (!updated) throw new ClientNotFoundError();
      await deps.reload();
      await record('client.updated', id, by, {
        fields: Object.keys(changes).sort().join(' ').slice(0, 400),
        ...(secret !== null && { new_secret_issued: true }),
      });
      return { client: updated, secret };
    },

    async rotateSecret(id, by) {
      const secret = newClientSecret();
      const updated = await repository.change(id, (current) => {
        if (current.authMethod === 'none') {
          throw new ClientOperationError('a public client (auth method none) has no secret');
        }
        return { ...current, secretDigest: digestSecret(secret) };
      });
      if (!updated) throw new ClientNotFoundError();
      await deps.reload();
      await record('client.secret_rotated', id, by);
      return { client: updated, secret };
    },

    async delete(id, by) {
      if (!(await repository.delete(id))) throw new ClientNotFoundError();
      await deps.reload();
      await record('client.deleted', id, by);
    },
  };
}

function metadataObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidClientMetadataError(['the body must be a JSON object of client metadata']);
  }
  return value as Record<string, unknown>;
}

/** Secrets are the IdP's to make: one chosen by a caller may be weak, or known elsewhere. */
function refuseSecretFields(input: Record<string, unknown>): void {
  const given = ['client_secret', 'client_secret_sha256'].filter((field) => field in input);
  if (given.length > 0) {
    throw new InvalidClientMetadataError(
      given.map(
        (field) =>
          `${field} cannot be given: the IdP generates the secret (rotate it to change it)`,
      ),
    );
  }
}
