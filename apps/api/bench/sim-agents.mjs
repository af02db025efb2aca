// SIMULATED AGENT FLEET — load for the master's benchmarks (B3, B4, B5), not an agent.
//
// N agents in one process, each a real WebSocket connection to the API's /agent/v1 with
// the cluster's join token, speaking the agent protocol as apps/agent does
// (packages/specs/src/agent-protocol.ts): register with resources and attributes,
// heartbeat at the interval the master gives, send the task list after every
// (re-)registration, answer `launch` with an ack and then TASK_STARTING → TASK_RUNNING,
// answer `kill` with an ack and then TASK_KILLING → TASK_KILLED, keep one status update
// per task in flight and re-send it until acknowledged (1 s doubling to 60 s, as the real
// agent), ignore commands of an older leader epoch, follow a standby's redirect, and
// reconnect with the real agent's jittered backoff (250 ms doubling to 10 s).
//
// It runs no processes and checks no schemas (the master checks what it receives): each
// simulated agent costs a socket and a few maps, so one process carries thousands.
//
//   node apps/api/bench/sim-agents.mjs --master=http://127.0.0.1:8080 --agents=5000 [--prefix=sim]
//     [--cpus=24] [--mem=4096] [--disk=4096] [--ports=31000-32000] [--connect-concurrency=250]
//   GANTRY_AGENT_TOKEN=<join token>
//
// Run under a parent with an IPC channel (the benchmarks do), it takes commands:
//   {cmd:'stats'}                       → {registered, reconciled, tasks:{state:n}, inFlight, ...}
//   {cmd:'load', concurrency, ms}       → keeps `concurrency` fresh TASK_RUNNING updates in flight for
//                                         `ms` over the running tasks; answers {acked, latencies}
//   {cmd:'resetCounters'} · {cmd:'stop'}
// and reports {event:'connected'} once every agent has registered and been reconciled.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

const opts = Object.fromEntries(process.argv.slice(2).map((a) => /^--([^=]+)=(.*)$/.exec(a)).filter(Boolean).map((m) => [m[1], m[2]]));
const MASTER = new URL(opts.master ?? 'http://127.0.0.1:8080');
const AGENTS = Number(opts.agents ?? 100);
const PREFIX = opts.prefix ?? 'sim';
const CPUS = Number(opts.cpus ?? 24);
const MEM = Number(opts.mem ?? 4096);
const DISK = Number(opts.disk ?? 4096);
const [PORT_BEGIN, PORT_END] = (opts.ports ?? '31000-32000').split('-').map(Number);
const CONNECT_CONCURRENCY = Number(opts['connect-concurrency'] ?? 250);
const TOKEN = process.env.GANTRY_AGENT_TOKEN ?? '';
const ZONES = ['a', 'b', 'c'];
const RETRY = { initialMs: 1000, maxMs: 60_000 };
const BACKOFF = { initialMs: 250, maxMs: 10_000, factor: 2 };

const log = (line) => process.stderr.write(`[sim-agents] ${line}\n`);
const now = () => performance.now();
const iso = () => new Date().toISOString();

/** Status updates in flight, by uuid (the master's ack names the uuid). */
const inFlight = new Map();
const counters = { launches: 0, kills: 0, updatesAcked: 0, updatesSent: 0, resent: 0, connects: 0, disconnects: 0, redirects: 0, unwantedKills: 0 };
let pid = 1000;
/** Why connections closed: "code reason" → count. */
const closes = {};

/** A load window (B4): fresh updates kept in flight, latencies of their acks. */
let load = null;

class SimAgent {
  constructor(index) {
    this.index = index;
    // Agent ids are the master's to give; a re-registering agent proposes the one it has
    // (the master keeps it), so a simulated agent keeps one id across restarts of the API.
    this.id = `${PREFIX}-agent-${String(index).padStart(5, '0')}`;
    this.hostname = `${PREFIX}-${String(index).padStart(5, '0')}.bench`;
    this.ws = null;
    this.epoch = 0;
    this.registered = false;
    this.reconciled = false;
    this.taskListId = null;
    this.attempt = 0;
    this.target = MASTER;
    this.heartbeatMs = 2000;
    /** taskId → {state, stream: pending statuses (head in flight), killRequested} */
    this.tasks = new Map();
  }

  registration() {
    return {
      type: 'register', id: randomUUID(), protocolVersion: 1, agentId: this.id, hostname: this.hostname,
      address: `10.${(this.index >> 16) & 255}.${(this.index >> 8) & 255}.${this.index & 255}`,
      resources: { cpus: CPUS, mem: MEM, disk: DISK, ports: [[PORT_BEGIN, PORT_END]] },
      attributes: { zone: ZONES[this.index % ZONES.length], rack: `r${this.index % 10}` },
      agentVersion: 'sim-0',
    };
  }

  connect() {
    return new Promise((resolve) => {
      const url = new URL('/agent/v1', this.target);
      url.protocol = this.target.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` }, perMessageDeflate: false, handshakeTimeout: 10_000 });
      this.ws = ws;
      let redirected = false;
      ws.on('open', () => {
        counters.connects++;
        this.send(this.registration());
        resolve();
      });
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString());
        if (message.type === 'redirect') {
          if (message.leader) {
            redirected = true;
            counters.redirects++;
            this.target = new URL(message.leader);
          }
          return;
        }
        this.receive(message);
      });
      ws.on('error', () => undefined);
      ws.on('unexpected-response', (_req, res) => {
        log(`agent ${this.index}: HTTP ${res.statusCode} instead of the agent protocol`);
        ws.terminate();
      });
      ws.on('close', (code, reason) => {
        resolve();
        if (this.ws !== ws) return;
        this.ws = null;
        if (this.registered) counters.disconnects++;
        const why = `${code}${reason.length ? ` ${reason.toString().slice(0, 60)}` : ''}`;
        closes[why] = (closes[why] ?? 0) + 1;
        this.registered = false;
        this.reconciled = false;
        if (stopping) return;
        const delay = redirected ? 0 : backoff(this.attempt++);
        setTimeout(() => void this.connect(), delay).unref();
      });
    });
  }

  send(message) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  receive(message) {
    if (message.epoch !== undefined) {
      if (message.epoch < this.epoch) return; // a deposed leader: never obey it
      this.epoch = message.epoch;
    }
    switch (message.type) {
      case 'registered': {
        this.registered = true;
        this.attempt = 0;
        this.heartbeatMs = message.heartbeatIntervalMs;
        this.taskListId = randomUUID();
        const tasks = [];
        for (const [taskId, t] of this.tasks) tasks.push({ taskId, state: t.state, ...(t.pid ? { pid: t.pid } : {}) });
        this.send({ type: 'taskList', id: this.taskListId, agentId: this.id, tasks });
        // A new connection: every unacknowledged head goes out again at once.
        for (const [taskId, t] of this.tasks) if (t.stream.length) this.pump(taskId, t, true);
        return;
      }
      case 'ack': {
        if (message.ackOf === this.taskListId) {
          this.taskListId = null;
          this.reconciled = true;
          fleetChanged();
          return;
        }
        const flight = inFlight.get(message.ackOf);
        if (!flight || flight.agent !== this) return;
        inFlight.delete(message.ackOf);
        counters.updatesAcked++;
        const t = this.tasks.get(flight.taskId);
        if (!t || t.stream[0]?.uuid !== message.ackOf) return;
        t.stream.shift();
        if (load && flight.loadStart !== undefined) load.acked(now() - flight.loadStart);
        if (t.stream.length) this.pump(flight.taskId, t, true);
        // A terminal task whose last word the master has recorded is forgotten (its sandbox would be GC'd).
        else if (TERMINAL.has(t.state)) this.tasks.delete(flight.taskId);
        return;
      }
      case 'launch': {
        counters.launches++;
        const spec = message.task;
        if (!this.tasks.has(spec.taskId)) {
          const t = { state: 'TASK_STAGING', stream: [], killRequested: false, pid: 0 };
          this.tasks.set(spec.taskId, t);
          this.update(spec.taskId, t, { state: 'TASK_STARTING' });
          t.pid = ++pid;
          this.update(spec.taskId, t, { state: 'TASK_RUNNING', pid: t.pid });
        }
        this.send({ type: 'ack', id: randomUUID(), ackOf: message.id });
        return;
      }
      case 'kill': {
        counters.kills++;
        const t = this.tasks.get(message.taskId);
        if (!t) return this.send({ type: 'ack', id: randomUUID(), ackOf: message.id, error: `task ${message.taskId} is unknown to this agent` });
        this.send({ type: 'ack', id: randomUUID(), ackOf: message.id });
        if (t.killRequested || TERMINAL.has(t.state)) return;
        t.killRequested = true;
        this.update(message.taskId, t, { state: 'TASK_KILLING' });
        this.update(message.taskId, t, { state: 'TASK_KILLED', message: 'Command terminated by a kill request' });
        return;
      }
      case 'createVolume':
      case 'destroyVolume':
        return this.send({ type: 'ack', id: randomUUID(), ackOf: message.id, error: 'a simulated agent has no volumes' });
      case 'readLog':
        return this.send({ type: 'logChunk', id: randomUUID(), ackOf: message.id, taskId: message.taskId, file: message.file, offset: message.offset, data: '', size: 0 });
      case 'refused':
        log(`agent ${this.index} refused: ${message.reason}`);
        return;
    }
  }

  /** Queues a status update; the head goes out at once, the rest after its ack. */
  update(taskId, t, change, loadStart) {
    t.state = change.state;
    const status = { uuid: randomUUID(), taskId, timestamp: iso(), ...change };
    t.stream.push(status);
    if (loadStart !== undefined) status.loadStart = loadStart;
    if (t.stream.length === 1) this.pump(taskId, t, true);
  }

  /** Sends the head of a task's stream (first try, or a retry that came due). */
  pump(taskId, t, fresh) {
    const head = t.stream[0];
    if (!this.registered) return; // re-sent on registration
    const { loadStart, ...status } = head;
    let flight = inFlight.get(head.uuid);
    if (!flight) {
      flight = { agent: this, taskId, attempts: 0, dueAt: 0, loadStart };
      inFlight.set(head.uuid, flight);
    } else if (fresh) flight.attempts = 0;
    if (this.send({ type: 'statusUpdate', id: head.uuid, agentId: this.id, status })) {
      if (flight.attempts > 0) counters.resent++;
      counters.updatesSent++;
      flight.dueAt = now() + Math.min(RETRY.maxMs, RETRY.initialMs * 2 ** flight.attempts);
      flight.attempts++;
    }
  }
}

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE']);
const backoff = (attempt) => {
  const ceiling = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * BACKOFF.factor ** attempt);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
};

let stopping = false;
const fleet = Array.from({ length: AGENTS }, (_, i) => new SimAgent(i));

// Heartbeats: one timer for the fleet, each agent beating once per its interval, spread
// over the interval (real agents start at random moments, not all at once).
const HEARTBEAT_SLOT_MS = 50;
let slot = 0;
setInterval(() => {
  slot++;
  for (const agent of fleet) {
    const slots = Math.max(1, Math.round(agent.heartbeatMs / HEARTBEAT_SLOT_MS));
    if (agent.registered && agent.index % slots === slot % slots) agent.send({ type: 'heartbeat', id: randomUUID(), agentId: agent.id });
  }
}, HEARTBEAT_SLOT_MS).unref();

// Retries: one sweep for every update in flight.
setInterval(() => {
  const t = now();
  for (const [uuid, flight] of inFlight) {
    if (flight.dueAt > t || !flight.agent.registered) continue;
    const task = flight.agent.tasks.get(flight.taskId);
    if (!task || task.stream[0]?.uuid !== uuid) {
      inFlight.delete(uuid);
      continue;
    }
    flight.agent.pump(flight.taskId, task, false);
  }
}, 200).unref();

let announcedConnected = false;
function fleetChanged() {
  if (announcedConnected) return;
  if (fleet.every((a) => a.reconciled)) {
    announcedConnected = true;
    process.send?.({ event: 'connected' });
    log(`all ${AGENTS} agents registered and reconciled`);
  }
}

function stats() {
  const tasks = {};
  let registered = 0;
  let reconciled = 0;
  for (const agent of fleet) {
    if (agent.registered) registered++;
    if (agent.reconciled) reconciled++;
    for (const t of agent.tasks.values()) tasks[t.state] = (tasks[t.state] ?? 0) + 1;
  }
  return { agents: AGENTS, registered, reconciled, tasks, inFlight: inFlight.size, ...counters, closes, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) };
}

/**
 * B4's load: `concurrency` fresh TASK_RUNNING updates in flight at every moment, each on
 * a running task with nothing else in flight (an agent keeps one update per task in
 * flight), round-robin over the fleet's running tasks. Latency is first send → ack.
 */
function startLoad(concurrency, ms) {
  const candidates = [];
  for (const agent of fleet) for (const [taskId, t] of agent.tasks) if (t.state === 'TASK_RUNNING') candidates.push([agent, taskId, t]);
  if (candidates.length === 0) return Promise.resolve({ acked: 0, latencies: [], ms: 0, error: 'no running tasks' });
  let cursor = 0;
  let seq = 0;
  const latencies = [];
  let acked = 0;
  let running = true;
  const t0 = now();
  const next = () => {
    for (let tries = 0; tries < candidates.length; tries++) {
      const [agent, taskId, t] = candidates[cursor++ % candidates.length];
      if (t.stream.length || t.state !== 'TASK_RUNNING' || !agent.registered) continue;
      agent.update(taskId, t, { state: 'TASK_RUNNING', reason: 'REASON_TASK_CHECK_STATUS_UPDATED', message: `bench update ${++seq}` }, now());
      return;
    }
  };
  return new Promise((resolve) => {
    load = {
      acked: (latency) => {
        if (!running) return;
        acked++;
        latencies.push(latency);
        next();
      },
    };
    for (let i = 0; i < concurrency; i++) next();
    setTimeout(() => {
      running = false;
      load = null;
      const elapsed = now() - t0;
      resolve({ acked, ms: elapsed, latencies });
    }, ms);
  });
}

process.on('message', async (message) => {
  switch (message.cmd) {
    case 'stats': return process.send({ reply: 'stats', id: message.id, stats: stats() });
    case 'load': return process.send({ reply: 'load', id: message.id, result: await startLoad(message.concurrency, message.ms) });
    case 'resetCounters':
      for (const k of Object.keys(counters)) counters[k] = 0;
      return process.send({ reply: 'resetCounters', id: message.id });
    case 'stop':
      stopping = true;
      for (const agent of fleet) agent.ws?.terminate();
      return process.send({ reply: 'stop', id: message.id });
  }
});
process.on('disconnect', () => process.exit(0));

// Agents join in waves: a fleet does not open thousands of handshakes in the same millisecond.
log(`connecting ${AGENTS} simulated agents to ${MASTER.origin}`);
for (let i = 0; i < fleet.length; i += CONNECT_CONCURRENCY) {
  await Promise.all(fleet.slice(i, i + CONNECT_CONCURRENCY).map((agent) => agent.connect()));
}
