import type { Config } from '../../config/config.js';
import type { KeyManager } from '../../keys/key-manager.js';

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

/** What every grant handler may use. */
export interface GrantContext {
  config: Config;
  keys: KeyManager;
  now: () => number;
}
