import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';
import { contentSecurityPolicy } from '@latchkey/demo-kit/content-security-policy';

// Two levels up is the pnpm workspace root: the standalone output must trace the workspace
// packages (@latchkey/sdk, @latchkey/protocol) that live outside this app's folder.
const monorepoRoot = fileURLToPath(new URL('../../', import.meta.url));

// next.config is build tooling, evaluated by `next` itself; src/config.ts is the app's config.
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

const nextConfig: NextConfig = {
  // The Docker image's build stage sets NEXT_OUTPUT=standalone (a self-contained server.js);
  // `next start`, which pnpm demo and the browser tests use, refuses to run that output.
  ...(process.env.NEXT_OUTPUT === 'standalone' && { output: 'standalone' }),
  outputFileTracingRoot: monorepoRoot,
  poweredByHeader: false,
  reactStrictMode: true,
  // ioredis is loaded by Node at run time rather than bundled: it uses dynamic requires
  // that bundlers mangle.
  serverExternalPackages: ['ioredis'],
  headers() {
    return Promise.resolve([{ source: '/:path*', headers: securityHeaders }]);
  },
};

export default nextConfig;
