import type { Router } from '@koa/router';
import type { AdminDeps } from './admin-deps.js';

/**
 * The seam every resource of the admin API plugs into: its routes and its part of the OpenAPI
 * document, side by side, so that neither can be added without the other. A resource is one
 * entry of ADMIN_RESOURCES (admin-resources.ts); admin-routes.ts mounts the routers under
 * /admin/v1 behind the token check, and openapi.ts merges the fragments into one document.
 *
 * Routes are relative to /admin/v1 (`/users/:id`), the OpenAPI paths too (`/users/{id}`), and
 * the test that walks the document checks that each route the routers hold is in it.
 */
export interface AdminResource {
  /** The resource's name, the tag of its operations in the document: `users`, `clients`. */
  readonly name: string;
  /** A fresh router each call, paths relative to /admin/v1. Errors: throw AdminProblem. */
  routes(deps: AdminDeps): Router;
  readonly openapi: OpenApiFragment;
}

/** A resource's share of the OpenAPI 3.1 document. */
export interface OpenApiFragment {
  /** OpenAPI Path Item Objects, keyed by path relative to /admin/v1 (`/users/{id}`). */
  readonly paths: Readonly<Record<string, unknown>>;
  /** JSON Schemas (2020-12) for `components.schemas`; name them after the resource (`User`). */
  readonly schemas: Readonly<Record<string, unknown>>;
}
