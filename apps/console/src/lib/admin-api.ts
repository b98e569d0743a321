import 'server-only';
import { config } from '../config';

/** An RFC 9457 problem the admin API answered, or a failure to reach it. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const TIMEOUT_MS = 10_000;

/**
 * One call of the admin API with the signed-in admin's own access token (never a secret of
 * the console's): the API checks the token, the admin role and the session on every call, so
 * the console can grant nothing the admin could not do directly. JSON in and out; a problem
 * answer becomes an AdminApiError carrying the API's `detail`.
 */
export async function adminApi<T>(
  accessToken: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${config.adminApiUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${accessToken}`,
        Accept: 'application/json, application/problem+json',
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      cache: 'no-store',
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (cause) {
    throw new AdminApiError(503, 'unreachable', `the admin API did not answer (${String(cause)})`);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const problem = (json ?? {}) as { type?: unknown; detail?: unknown; title?: unknown };
    const detail =
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.title === 'string'
          ? problem.title
          : `HTTP ${response.status}`;
    throw new AdminApiError(
      response.status,
      typeof problem.type === 'string' ? problem.type : '',
      detail,
    );
  }
  return json as T;
}

/** A query string of the set values, for listing paths. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
