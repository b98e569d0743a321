import { request } from 'node:http';

/** An answer as a client sees it: the status, every header, the body as text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * A form POST on a connection of its own (no agent, `connection: close`). Under IDP_WORKERS
 * the primary hands each new connection to the next worker, so two of these sent back to back
 * are answered by two different workers; a pooled keep-alive connection would carry both to
 * the same one.
 */
export function postOnOwnConnection(
  url: string,
  authorization: string,
  body: URLSearchParams,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          connection: 'close',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: flat(res.headers), text }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body.toString());
  });
}

/** A POST on the process's pooled keep-alive connections, answered the same way. */
export async function postPooled(
  url: string,
  authorization: string,
  body: URLSearchParams,
): Promise<RawAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { authorization }, body });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    text: await response.text(),
  };
}

function flat(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
