/**
 * The files of the consumer project the packaging test installs the tarballs into: what another
 * team writes, kept here as text so that the workspace's own type-check and lint never see them
 * as workspace code.
 */

/** Type-checked with `tsc` under NodeNext, as a service outside the workspace would be. */
export const CONSUMER_TS = `
import {
  createVerifier,
  KeyRevokedError,
  RevocationLayoutError,
  TokenReplayedError,
  createLoggedOutSessions,
  type AccessTokenClaims,
  type LogoutTokenClaims,
  type Verifier,
} from '@latchkey/sdk';
import { backChannelLogout, requireBearer, type BearerState } from '@latchkey/sdk/koa';
import {
  createRedisReplayCache,
  createRedisRevocationSource,
  type RedisRevocationSource,
} from '@latchkey/sdk/redis';
import { createLatchkeyNext } from '@latchkey/sdk/next';
import { createPrometheusMetrics, type SdkMetrics } from '@latchkey/sdk/metrics';
import { Registry } from 'prom-client';
import { LOGOUT_TOKEN_TYP, STORE_LAYOUT_VERSION, type KeyRevocation } from '@latchkey/protocol';
import { MAX_TOKEN_LENGTH, signCompactJws } from '@latchkey/protocol/jwt';
import type { NextRequest } from 'next/server.js';

const metrics: SdkMetrics = createPrometheusMetrics(new Registry());
const revocation: RedisRevocationSource = createRedisRevocationSource({ url: 'redis://127.0.0.1:6379', metrics });
const verifier: Verifier = createVerifier({ issuer: 'http://127.0.0.1:4000', audience: 'api', revocation, metrics });
export const bearer = requireBearer(verifier, { scope: 'read' });
export type State = BearerState;
export const codes: string[] = [KeyRevokedError.code, RevocationLayoutError.code, TokenReplayedError.code];
export const logoutTyp: string = LOGOUT_TOKEN_TYP;
export const ended = createLoggedOutSessions();
export const logout = backChannelLogout(verifier, { onLogout: ({ sid }) => ended.record({ sid, iat: 0 }) });
export const replayCache: typeof createRedisReplayCache = createRedisReplayCache;
export async function loggedOut(token: string): Promise<string | undefined> {
  const claims: LogoutTokenClaims = await verifier.verifyLogoutToken(token);
  return claims.sid;
}
export const layout: number = STORE_LAYOUT_VERSION;
export const limits: [number, typeof signCompactJws] = [MAX_TOKEN_LENGTH, signCompactJws];
export const revoked: KeyRevocation = { kind: 'key', kid: 'k-1', expiresAt: 1 };
export async function subject(token: string): Promise<string> {
  const claims: AccessTokenClaims = await verifier.verifyAccessToken(token);
  return claims.sub;
}
const latchkey = createLatchkeyNext({
  issuer: 'http://idp.localhost:4000',
  idpInternalUrl: 'http://127.0.0.1:4000',
  appUrl: 'http://shop.localhost:3001',
  clientId: 'shop',
  clientSecret: 'secret',
  scope: 'openid',
  resources: ['http://shop.localhost:3001/api'],
  audience: 'http://shop.localhost:3001/api',
  sessionSecret: 'x'.repeat(43),
  redisUrl: 'redis://127.0.0.1:6379',
});
export const proxy = (request: NextRequest) => latchkey.proxy(request);
export const backChannel: (request: Request) => Promise<Response> = latchkey.backChannelLogout;
// @ts-expect-error a misspelt option must not type-check: the declarations are really read
createVerifier({ issuer: 'http://127.0.0.1:4000', audiense: 'api' });
`;

export const TSCONFIG_NODENEXT = JSON.stringify({
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    strict: true,
    noEmit: true,
    // Off, so that our own declaration files are checked; errors in third-party ones are
    // filtered out by the test (Next's do not all check under every configuration).
    skipLibCheck: false,
    types: ['node'],
  },
  files: ['consumer.ts'],
});

/** Plain Node: every entry point that needs no bundler, with a few exports checked. */
export const IMPORTS_MJS = `
const checks = {
  '@latchkey/sdk': (m) => typeof m.createVerifier === 'function' && m.KeyRevokedError.code === 'ERR_KEY_REVOKED' && m.TokenReplayedError.code === 'ERR_TOKEN_REPLAYED',
  '@latchkey/sdk/koa': (m) => typeof m.requireBearer === 'function' && typeof m.backChannelLogout === 'function',
  '@latchkey/sdk/redis': (m) => typeof m.createRedisRevocationSource === 'function' && typeof m.createRedisReplayCache === 'function',
  '@latchkey/sdk/metrics': (m) => typeof m.createPrometheusMetrics === 'function' && m.REVOCATION_LAG_BUCKETS.length > 0,
  '@latchkey/protocol': (m) => m.STORE_LAYOUT_VERSION === 1 && m.storeLayoutKey === 'latchkey:layout' && m.LOGOUT_TOKEN_TYP === 'logout+jwt',
  '@latchkey/protocol/jwt': (m) => typeof m.createJwsParser === 'function' && m.KeyRevokedError.code === 'ERR_KEY_REVOKED',
};
const results = {};
for (const [entry, check] of Object.entries(checks)) {
  const module = await import(entry);
  results[entry] = check(module) ? Object.keys(module).length + ' exports' : 'WRONG EXPORTS';
}
console.log(JSON.stringify({ node: process.version, results }));
`;

/**
 * \`@latchkey/sdk/next\` imports \`next/server\`, \`next/headers\` and \`next/navigation\` by their
 * bare names, which only Next's bundler resolves (Next has no exports map): it is loaded inside
 * a minimal Next app, built and started, as the README documents.
 */
export const NEXT_ROUTE_JS = `
import { createLatchkeyNext } from '@latchkey/sdk/next';
import { createPrometheusMetrics } from '@latchkey/sdk/metrics';
import { Registry } from 'prom-client';

export const dynamic = 'force-dynamic';

export function GET() {
  // The metrics entry bundled by Next too, with the prom-client the app installed.
  const metrics = createPrometheusMetrics(new Registry());
  return Response.json({
    createLatchkeyNext: typeof createLatchkeyNext,
    metrics: typeof metrics,
  });
}
`;

export const NEXT_CONFIG_MJS = 'export default {};\n';
