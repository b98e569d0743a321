import { fileURLToPath } from 'node:url';
import { contentSecurityPolicy } from './content-security-policy.js';

/**
 * The next.config both demo apps use. Build tooling, evaluated by `next` itself (so it reads
 * NODE_ENV and NEXT_OUTPUT here); the apps' runtime configuration is their src/config.ts.
 * Typed structurally, so that this package needs no dependency on `next`.
 */
export function demoNextConfig(nextConfigUrl: string) {
  const devServer = process.env.NODE_ENV === 'development';
  const securityHeaders = [
    { key: 'Content-Security-Policy', value: contentSecurityPolicy({ devServer }) },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    // The callback URL carries the code and state, so other sites get the origin at most. Not
    // no-referrer: that also turns the Origin header of our own POSTs (logout) into "null".
    { key: 'Referrer-Policy', value: 'strict-origin' },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  ];
  return {
    // The Docker image's build stage sets NEXT_OUTPUT=standalone (a self-contained server.js);
    // `next start`, which pnpm demo and the browser tests use, refuses to run that output.
    ...(process.env.NEXT_OUTPUT === 'standalone' && { output: 'standalone' as const }),
    // Two levels above apps/<app>/ is the workspace root: the standalone output must trace the
    // workspace packages (@latchkey/sdk, …) that live outside the app's folder.
    outputFileTracingRoot: fileURLToPath(new URL('../../', nextConfigUrl)),
    poweredByHeader: false,
    reactStrictMode: true,
    // ioredis is loaded by Node at run time rather than bundled: it uses dynamic requires
    // that bundlers mangle.
    serverExternalPackages: ['ioredis'],
    headers: () => Promise.resolve([{ source: '/:path*', headers: securityHeaders }]),
  };
}
