// The console's production server: Next.js in production mode on GANTRY_WEB_PORT.
// Under `gantry up`, fd 3 is a pipe from the parent; when it closes the parent is
// gone, and the console exits too instead of lingering as an orphan.
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import next from 'next';

const port = Number(process.env.GANTRY_WEB_PORT ?? 3000);
const hostname = process.env.GANTRY_WEB_HOST ?? '127.0.0.1';
const dir = fileURLToPath(new URL('.', import.meta.url));

const app = next({ dev: false, dir, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();
const server = createServer((req, res) => handle(req, res));
server.on('error', (error) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `gantry web: port ${port} is already in use — stop what holds it or set GANTRY_WEB_PORT`
      : `gantry web: ${error.message}`,
  );
  process.exit(1);
});
server.listen(port, hostname, () => console.log(`gantry console on http://localhost:${port}`));

const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 2000).unref();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (process.env.GANTRY_PARENT_PIPE === '3') {
  const pipe = createReadStream('', { fd: 3 });
  pipe.on('end', stop);
  pipe.on('error', stop);
  pipe.resume();
}
