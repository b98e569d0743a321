/** IPC between the bench and its peer servers (oidc-provider, bare Koa). */

export interface PeerReady {
  type: 'ready';
  url: string;
}

/** oidc-provider only: make authorization codes as its /authorize would have. */
export interface MintCodesRequest {
  type: 'mint-codes';
  id: number;
  count: number;
}

export interface MintedCodes {
  type: 'codes';
  id: number;
  codes: { code: string; verifier: string }[];
}

export const isPeerReady = (message: unknown): message is PeerReady =>
  (message as PeerReady | null)?.type === 'ready';
