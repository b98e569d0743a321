import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';
import { contentSecurityPolicy } from './src/lib/content-security-policy';

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
  output: 'standalone',
  outputFileTracingRoot: monorepoRoot,
  poweredByHeader: false,
  reactStrictMode: true,
  // ioredis is loaded by Node at run time rather than bundled: it uses dynamic requires
  // that bundlers mangle.
  serverExternalPackages: ['ioredis'],
  turbopack: {
    // The SDK is Node ESM, so it must import `next/navigation.js`; Next maps only the bare
    // `next/navigation` to its server build, and the file itself pulls in client-only modules
    // that do not exist for route handlers.
    resolveAlias: { 'next/navigation.js': 'next/navigation' },
  },
  headers() {
    return Promise.resolve([{ source: '/:path*', headers: securityHeaders }]);
  },
};

export default nextConfig;
