import { LatchkeyError } from '../errors.js';
import type { Verifier } from '../verifier.js';
import { decodeSegment } from './session-data.js';

/** A JWT taken apart for display, and whether it verified: the token inspector's data. */
export type TokenInspection = {
  header: Record<string, unknown> | undefined;
  payload: Record<string, unknown> | undefined;
  signature: string;
  segments: [string, string, string];
} & ({ verified: true } | { verified: false; error: { code: string; message: string } });

export function createInspect(
  verifier: Pick<Verifier, 'verifyAccessToken'>,
): (token: string) => Promise<TokenInspection> {
  return async (token) => {
    const [header = '', payload = '', signature = ''] = token.split('.');
    const parts = {
      header: decodeSegment(token, 0),
      payload: decodeSegment(token, 1),
      signature,
      segments: [header, payload, signature] as [string, string, string],
    };
    try {
      await verifier.verifyAccessToken(token);
      return { ...parts, verified: true };
    } catch (error) {
      if (!(error instanceof LatchkeyError)) throw error;
      return { ...parts, verified: false, error: { code: error.code, message: error.message } };
    }
  };
}
