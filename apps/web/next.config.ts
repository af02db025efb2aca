import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The console is served by server.js (a production Next server that also exits with
  // `gantry up`); no image optimisation service, no telemetry, no outside fonts.
  images: { unoptimized: true },
  // A build of its own for runs that must not share .next with others' builds (B8 on a shared machine).
  ...(process.env.GANTRY_WEB_DIST_DIR ? { distDir: process.env.GANTRY_WEB_DIST_DIR } : {}),
  typescript: { tsconfigPath: './tsconfig.json' },
  // The stylesheet (~15 KB) comes inside the page: no render-blocking request before the first paint.
  experimental: { inlineCss: true },
};

export default config;
