/**
 * oidc-provider set up as closely as it allows to the IdP's job, as its own process: the same
 * clients, JWT access tokens (RFC 9068, via resource indicators) signed ES256, ID tokens RS256,
 * client_secret_basic, rotating refresh tokens. Codes, grants and refresh tokens are kept
 * either in process memory (map-adapter.ts), which favours the peer since Latchkey keeps them
 * in Redis, or in Redis (redis-adapter.ts), as its production users deploy it.
 *
 * Usage: node --import tsx oidc-provider-server.ts PORT [REDIS_URL]. Says { type: 'ready' }
 * over IPC, then answers { type: 'mint-codes' } with codes made as its /authorize would have.
 * Run as a worker of oidc-provider-cluster.ts, it takes its keys from PEER_KEYS (JSON), so
 * that every worker signs with the same ones, as one deployment would.
 */
import { createHash, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { REPORTS, SHOP, WIKI_API } from './bench-clients.js';
import { MapAdapter } from './map-adapter.js';
import { makePeerKeys, type PeerKeys } from './peer-keys.js';
import { connectRedisAdapter, RedisAdapter } from './redis-adapter.js';
import type { MintCodesRequest, MintedCodes, PeerReady } from './peer-protocol.js';

const port = Number(process.argv[2]);
const redisUrl = process.argv[3];
if (redisUrl) connectRedisAdapter(redisUrl);
const issuer = `http://127.0.0.1:${port}`;
const ACCOUNT = 'user-alice';

const keys = process.env.PEER_KEYS
  ? (JSON.parse(process.env.PEER_KEYS) as PeerKeys)
  : makePeerKeys();

const provider = new Provider(issuer, {
  adapter: redisUrl ? RedisAdapter : MapAdapter,
  clients: [
    {
      client_id: SHOP.id,
      client_secret: SHOP.secret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [SHOP.redirectUri],
      scope: 'openid profile email offline_access wiki:read',
      // As Latchkey's shop is registered in the bench (services/idp.ts): like with like.
      id_token_signed_response_alg: 'ES256',
    },
    {
      client_id: REPORTS.id,
      client_secret: REPORTS.secret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'wiki:read reports:write',
    },
  ],
  jwks: keys.jwks,
  cookies: { keys: keys.cookies },
  scopes: ['openid', 'profile', 'email', 'offline_access', 'wiki:read', 'reports:write'],
  claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'] },
  findAccount: (_ctx: unknown, id: string) => ({
    accountId: id,
    claims: () => ({ sub: id, preferred_username: 'alice', email: 'alice@example.com' }),
  }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => WIKI_API,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'wiki:read reports:write',
        audience: WIKI_API,
        accessTokenTTL: 600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
    client.grantTypeAllowed('refresh_token'),
  // Latchkey rotates on every use (OAuth 2.1 §4.3.1); the default here rotates only late.
  rotateRefreshToken: () => true,
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    IdToken: 900,
    RefreshToken: 7 * 24 * 3600,
    Grant: 7 * 24 * 3600,
    Session: 12 * 3600,
    Interaction: 600,
  },
});
// Quiet: its default handler logs every error; a load test would flood the output.
provider.on('server_error', () => {});

async function mintCodes(count: number): Promise<MintedCodes['codes']> {
  const client = await provider.Client.find(SHOP.id);
  if (!client) throw new Error('shop client missing');
  const codes: MintedCodes['codes'] = [];
  for (let i = 0; i < count; i += 1) {
    const grant = new provider.Grant({ accountId: ACCOUNT, clientId: SHOP.id });
    grant.addOIDCScope('openid profile email offline_access');
    grant.addResourceScope(WIKI_API, 'wiki:read');
    const grantId = await grant.save();
    const verifier = randomBytes(32).toString('base64url');
    const code = new provider.AuthorizationCode({
      accountId: ACCOUNT,
      client,
      grantId,
      scope: 'openid profile email offline_access wiki:read',
      resource: WIKI_API,
      redirectUri: SHOP.redirectUri,
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      codeChallengeMethod: 'S256',
      authTime: Math.floor(Date.now() / 1000),
      expiresWithSession: false,
    });
    codes.push({ code: await code.save(), verifier });
  }
  return codes;
}

process.on('message', (message: MintCodesRequest) => {
  if (message.type !== 'mint-codes') return;
  void mintCodes(message.count).then((codes) => {
    const reply: MintedCodes = { type: 'codes', id: message.id, codes };
    process.send?.(reply);
  });
});
process.on('SIGTERM', () => process.exit(0));

provider.listen(port, '127.0.0.1', () => {
  const ready: PeerReady = { type: 'ready', url: issuer };
  process.send?.(ready);
});
