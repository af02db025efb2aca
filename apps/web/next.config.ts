import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The console is served by server.js (a production Next server that also exits with
  // `gantry up`); no image optimisation service, no telemetry, no outside fonts.
  images: { unoptimized: true },
  typescript: { tsconfigPath: './tsconfig.json' },
};

export default config;
