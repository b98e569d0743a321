/**
 * The few parts of oidc-provider (which ships no types) that the peer server uses. Declared
 * here rather than installing @types: only the bench touches it, and only these members.
 */
declare module 'oidc-provider' {
  import type Koa from 'koa';

  interface ClientInstance {
    grantTypeAllowed(type: string): boolean;
  }

  interface GrantInstance {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  interface SavableToken {
    save(): Promise<string>;
  }

  export default class Provider extends Koa {
    constructor(issuer: string, configuration: Record<string, unknown>);
    Client: { find(id: string): Promise<ClientInstance | undefined> };
    Grant: new (properties: { accountId: string; clientId: string }) => GrantInstance;
    AuthorizationCode: new (properties: Record<string, unknown>) => SavableToken;
  }
}
