/** The admin API's resources as it answers them (its OpenAPI document at /admin/v1/openapi.json). */

export interface AdminUser {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  roles: string[];
  state: 'active' | 'disabled' | 'pending' | (string & {});
  created_at: string;
  updated_at: string;
  password_changed_at: string;
}

export interface AdminSession {
  sid: string;
  user_id: string;
  username: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  auth_time: string;
  amr: string[];
  acr: string | null;
  user_agent: string | null;
  address: string | null;
}

export interface AdminKey {
  kid: string;
  alg: string;
  state: 'pending' | 'active' | 'retired' | 'revoked' | (string & {});
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
  revoked_at: string | null;
}

export type AuditActor =
  | { kind: 'user'; id: string }
  | { kind: 'client'; id: string }
  | { kind: 'operator'; id: string }
  | { kind: 'system' };

export interface AuditEvent {
  id: string;
  at: string;
  type: string;
  actor: AuditActor;
  subject: string | null;
  client: string | null;
  session: string | null;
  address: string | null;
  user_agent: string | null;
  request_id: string | null;
  detail: Record<string, string | number | boolean | null> | null;
}

export interface AdminClient {
  client_id: string;
  client_name?: string;
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  redirect_uris?: string[];
  scope?: string;
  application_type?: 'web' | 'native';
  web_origins?: string[];
  first_party?: boolean;
  dpop_bound_access_tokens?: boolean;
  require_pushed_authorization_requests?: boolean;
  client_id_issued_at?: number;
  client_secret?: string;
}
