// B5's physical baseline: a bare node:http server, in a process of its own, answering the
// same shapes as the API with no database, no authentication and no routing table:
// GET /task → one task (the size of GET /v1/tasks/:id), GET /tasks?after=&limit= → a page of
// a 10,000-task list kept in memory, serialized per request as the API does.
//   node apps/api/bench/bare-http.mjs   (prints {"port"} on stdout once listening)
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const now = new Date().toISOString();
const task = (i) => ({
  id: `b5_app-${String(i % 100).padStart(4, '0')}.instance-${randomUUID()}._app.1`, agentId: `sim-agent-${String(i % 5000).padStart(5, '0')}`,
  appId: `/b5/app-${String(i % 100).padStart(4, '0')}`, state: 'TASK_RUNNING', reason: null, message: null, healthy: null, ready: null,
  pid: 1000 + i, exitCode: null, createdAt: now, updatedAt: now, configVersion: now, role: 'b5', startedAt: now, unreachableSince: null,
  killRequestedAt: null, healthFailures: 0,
});
const tasks = Array.from({ length: 10_000 }, (_, i) => task(i)).sort((a, b) => (a.id < b.id ? -1 : 1));
const one = tasks[0];

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  let body;
  if (url.pathname === '/task') body = JSON.stringify(one);
  else if (url.pathname === '/tasks') {
    const limit = Number(url.searchParams.get('limit') ?? 500);
    const after = url.searchParams.get('after');
    let start = 0;
    if (after) {
      // The same keyset walk as the API's, over the sorted ids.
      let lo = 0;
      let hi = tasks.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (tasks[mid].id <= after) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const page = tasks.slice(start, start + limit);
    body = JSON.stringify({ tasks: page, next: page.length === limit ? page[page.length - 1].id : null });
  } else {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
