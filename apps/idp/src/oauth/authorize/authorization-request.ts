import type { Locale } from '../../i18n/locales.js';

/** A validated authorization request: what the code will stand for once the user is known. */
export interface AuthorizationRequest {
  readonly clientId: string;
  /** Exactly as sent; /token must receive the same (RFC 6749 §4.1.3). */
  readonly redirectUri: string;
  /** Returned unchanged; the client compares it with what it sent (RFC 6749 §10.12). */
  readonly state?: string;
  readonly scope: readonly string[];
  readonly resources: readonly string[];
  readonly codeChallenge: string;
  /** Carried into the ID token (OIDC Core §3.1.2.1). */
  readonly nonce?: string;
  /** RFC 9449 §10 `dpop_jkt`: the DPoP key that alone may redeem the code. */
  readonly dpopJkt?: string;
  /** OIDC `prompt` values. */
  readonly prompt: readonly Prompt[];
  /**
   * OIDC `acr_values` (§3.1.2.1): the supported values asked for, in order of preference
   * (check-acr.ts). Absent when none was asked for or none is ours.
   */
  readonly acrValues?: readonly string[];
  /** OIDC `max_age`, seconds. */
  readonly maxAge?: number;
  /** OIDC `login_hint`, used only to prefill the username field. */
  readonly loginHint?: string;
  /**
   * The first language of OIDC `ui_locales` (§3.1.2.1) that the pages are written in: what
   * the application would like the login page in. Absent when it named none we have.
   */
  readonly uiLocale?: Locale;
}

export type Prompt = 'none' | 'login' | 'consent' | 'select_account';
