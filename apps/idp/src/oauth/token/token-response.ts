import type { AuditTrail } from '../../audit/audit-trail.js';
import type { Config } from '../../config/config.js';
import type { KeyManager } from '../../keys/key-manager.js';
import type { Revoker } from '../../sessions/revoker.js';
import type { SessionRepository } from '../../sessions/session.js';
import type { Store } from '../../store/store.js';
import type { UserRepository } from '../../users/user.js';

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the access token is bound to the key of the request's proof (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

/**
 * The key of the request's DPoP proof (RFC 9449 §5), as its RFC 7638 thumbprint; undefined
 * when the request carried no proof and its tokens are plain bearer tokens.
 */
export interface DpopBinding {
  readonly jkt: string | undefined;
}

/** What every grant handler may use. */
export interface GrantContext {
  config: Config;
  keys: KeyManager;
  now: () => number;
}

/** What the grants that act for a user (code, refresh) also need. */
export interface UserGrantContext extends GrantContext {
  /** Refusals and refresh-token reuse are recorded (audit/audit-trail.ts). */
  audit: AuditTrail;
  store: Store;
  sessions: SessionRepository;
  revoker: Revoker;
  users: UserRepository;
}
