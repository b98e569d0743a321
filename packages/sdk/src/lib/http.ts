/**
 * The one way this SDK reads JSON from the IdP: bounded in time and size, no redirects.
 * Errors are plain `Error`s; callers wrap them in their own typed error.
 */

/** A JWKS or discovery document is a few KiB; a bigger body is a misconfiguration or an attack. */
export const MAX_BODY_BYTES = 512 * 1024;

/** Tries of one GET whose connection closed under it (see getJson). */
const GET_ATTEMPTS = 3;

export interface JsonResponse {
  status: number;
  headers: Headers;
  /** Parsed body, only for status 200. */
  body?: unknown;
}

export async function getJson(
  url: URL,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const signal = AbortSignal.timeout(timeoutMs);
  const get = () =>
    fetch(url, {
      headers: { accept: 'application/json', ...headers },
      signal,
      // Redirects could move us from https to http or to another host; the IdP has no reason to.
      redirect: 'error',
    });
  let response: Response;
  for (let attempt = 1; ; attempt += 1) {
    try {
      response = await get();
      break;
    } catch (error) {
      // Kept-alive connections that the server closed while idle fail the request that reuses
      // them before any answer comes, and an idle pool may hold several: a GET is safe to send
      // again, on the next connection, a few times within the same deadline.
      if (attempt === GET_ATTEMPTS || signal.aborted || !isClosedConnection(error)) throw error;
    }
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    return { status: response.status, headers: response.headers };
  }
  const text = await readText(response);
  return { status: 200, headers: response.headers, body: JSON.parse(text) as unknown };
}

/**
 * POSTs `body` (JSON, or a form when URLSearchParams) and reads a JSON answer of any status:
 * the SSF stream API and the token endpoint explain their refusals in the body.
 */
export async function postJson(
  url: URL,
  body: unknown,
  options: {
    timeoutMs: number;
    headers?: Record<string, string>;
    method?: string;
    signal?: AbortSignal;
  },
): Promise<{ status: number; body: unknown }> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const form = body instanceof URLSearchParams;
  const response = await fetch(url, {
    method: options.method ?? 'POST',
    headers: {
      accept: 'application/json',
      ...(body !== undefined && {
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      }),
      ...options.headers,
    },
    ...(body !== undefined && { body: form ? body : JSON.stringify(body) }),
    signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
    redirect: 'error',
  });
  const text = await readText(response);
  let parsed: unknown = null;
  if (text !== '') {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = null;
    }
  }
  return { status: response.status, body: parsed };
}

/** fetch's error for a connection closed under the request (reset, or closed by the peer). */
function isClosedConnection(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return error instanceof TypeError && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET');
}

async function readText(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new Error('response body too large');
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error('response body too large');
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
}
