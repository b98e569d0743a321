import type { NextConfig } from 'next';
import { demoNextConfig } from '@latchkey/demo-kit/next-config';

const nextConfig: NextConfig = demoNextConfig(import.meta.url);

export default nextConfig;
