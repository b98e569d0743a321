import 'server-only';
import { config } from '../config';

export interface WikiPageSummary {
  slug: string;
  title: string;
  summary: string;
}

export type WikiApiResult =
  | { ok: true; pages: WikiPageSummary[]; requestedBy: string; sub: string; clientId: string }
  | { ok: false; status?: number; error: string; description: string };

const TIMEOUT_MS = 3000;

/**
 * Calls the wiki's API server-to-server with the user's own access token: the wiki verifies it
 * against the same IdP keys, so no shared secret between the two apps is needed. Never throws;
 * a failure comes back as a result the page can show.
 */
export async function fetchWikiPages(accessToken: string): Promise<WikiApiResult> {
  let response: Response;
  try {
    response = await fetch(`${config.wikiInternalUrl}/api/pages`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return {
      ok: false,
      error: timedOut ? 'timeout' : 'unreachable',
      description: timedOut
        ? `The wiki did not answer within ${TIMEOUT_MS / 1000} s`
        : `Could not connect to the wiki at ${config.wikiInternalUrl}`,
    };
  }

  const body = await readJson(response);
  if (!response.ok) {
    return {
      ok: false,
      status: response.status,
      error: stringField(body, 'error') ?? 'http_error',
      description:
        stringField(body, 'error_description') ??
        response.headers.get('www-authenticate') ??
        response.statusText,
    };
  }
  const parsed = parsePagesResponse(body);
  if (!parsed) {
    return {
      ok: false,
      status: response.status,
      error: 'unexpected_response',
      description: 'The wiki answered, but not with the expected list of pages',
    };
  }
  return { ok: true, ...parsed };
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function parsePagesResponse(
  body: unknown,
): { pages: WikiPageSummary[]; requestedBy: string; sub: string; clientId: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const pages = (body as { pages?: unknown }).pages;
  if (!Array.isArray(pages)) return undefined;
  const summaries: WikiPageSummary[] = [];
  for (const page of pages) {
    const slug = stringField(page, 'slug');
    const title = stringField(page, 'title');
    if (slug === undefined || title === undefined) return undefined;
    summaries.push({ slug, title, summary: stringField(page, 'summary') ?? '' });
  }
  return {
    pages: summaries,
    requestedBy: stringField(body, 'requestedBy') ?? '',
    sub: stringField(body, 'sub') ?? '',
    clientId: stringField(body, 'client_id') ?? '',
  };
}

function stringField(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === 'string' ? field : undefined;
}
