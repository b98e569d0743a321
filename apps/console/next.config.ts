import type { NextConfig } from 'next';
import { demoNextConfig } from '@latchkey/demo-kit/next-config';

const nextConfig: NextConfig = {
  ...demoNextConfig(import.meta.url),
  // forbidden() from next/navigation: a signed-in user who is not an admin gets a real 403
  // page (app/forbidden.tsx), thrown before any data is fetched.
  experimental: { authInterrupts: true },
};

export default nextConfig;
