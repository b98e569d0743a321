import { ClientsFileError, parseClients } from '../clients/load-clients.js';

/** A valid CLIENTS_FILE entry (a confidential web client), with `extra` fields on top. */
export function clientEntry(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: 'app',
    client_secret: 'a-long-enough-client-secret',
    redirect_uris: ['https://app.example/cb'],
    resources: ['https://api.example/'],
    ...extra,
  };
}

/** What loading that one entry reports: each problem's line, none when it loads. */
export function entryProblems(
  extra: Record<string, unknown>,
  production = false,
): readonly string[] {
  try {
    parseClients([clientEntry(extra)], { production });
    return [];
  } catch (error) {
    if (error instanceof ClientsFileError) return error.problems;
    throw error;
  }
}
