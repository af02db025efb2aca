import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../api-error.js';
import { type App, AppDefinition, type AppResult, configChanged, mergeAppUpdate, parseAppDefinition } from './app-definition.js';
import type { AppHealthCheck } from './health-check.js';

/** The smallest valid definition, with `fields` on top. */
function definition(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: '/web', cmd: 'python3 -m http.server $PORT0', ...fields };
}

function created(json: unknown, base?: string): App {
  const result = parseAppDefinition(json, { mode: 'create', base });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.app;
}

function details(result: AppResult) {
  return result.ok ? [] : (result.error.details ?? []);
}

const persistentVolume = { containerPath: 'data', persistent: { size: 512 } };

describe('parseAppDefinition: defaults', () => {
  it("fills Marathon's defaults into the smallest app", () => {
    expect(created(definition())).toEqual({
      id: '/web',
      cmd: 'python3 -m http.server $PORT0',
      env: {},
      instances: 1,
      cpus: 1,
      mem: 128,
      disk: 0,
      gpus: 0,
      executor: '',
      constraints: [],
      fetch: [],
      portDefinitions: [{ port: 0, protocol: 'tcp', name: 'default' }],
      requirePorts: false,
      backoffSeconds: 1,
      backoffFactor: 1.15,
      maxLaunchDelaySeconds: 300,
      healthChecks: [],
      readinessChecks: [],
      dependencies: [],
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
      labels: {},
      unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
      killSelection: 'YOUNGEST_FIRST',
      networks: [{ mode: 'host' }],
    } satisfies App);
  });

  it("fills a health check with Marathon's defaults, probing the first port", () => {
    expect(created(definition({ healthChecks: [{}] })).healthChecks).toEqual([
      {
        protocol: 'HTTP',
        path: '/',
        portIndex: 0,
        ignoreHttp1xx: false,
        ipProtocol: 'IPv4',
        gracePeriodSeconds: 300,
        intervalSeconds: 60,
        timeoutSeconds: 20,
        maxConsecutiveFailures: 3,
        delaySeconds: 15,
      },
    ]);
  });

  it.each([
    [{ protocol: 'TCP' }, { protocol: 'TCP', portIndex: 0 }],
    [{ protocol: 'MESOS_HTTPS', port: 8443 }, { protocol: 'MESOS_HTTPS', path: '/', port: 8443 }],
    [{ protocol: 'MESOS_TCP', path: '/ignored' }, { protocol: 'MESOS_TCP', portIndex: 0 }],
    [{ protocol: 'COMMAND', command: { value: 'true' }, portIndex: 5 }, { protocol: 'COMMAND', command: { value: 'true' } }],
  ])('reads health check %j with the fields its protocol uses', (check, expected) => {
    const { protocol, path, port, portIndex, command } = created(definition({ healthChecks: [check] })).healthChecks[0] ?? {};
    expect({ protocol, path, port, portIndex, command }).toEqual(expected);
  });

  it("fills a readiness check with Marathon's defaults", () => {
    const app = created(definition({ portDefinitions: [{ name: 'http-api' }], readinessChecks: [{}] }));
    expect(app.readinessChecks).toEqual([
      {
        name: 'readinessCheck',
        protocol: 'HTTP',
        path: '/',
        portName: 'http-api',
        intervalSeconds: 30,
        timeoutSeconds: 10,
        httpStatusCodesForReady: [200],
        preserveLastResponse: false,
      },
    ]);
    expect(app.portDefinitions).toEqual([{ port: 0, protocol: 'tcp', name: 'http-api' }]);
  });

  it('fills a fetch entry: extracted, not executable, not cached', () => {
    expect(created(definition({ fetch: [{ uri: 'https://example.com/app.tgz' }] })).fetch).toEqual([
      { uri: 'https://example.com/app.tgz', extract: true, executable: false, cache: false },
    ]);
  });
});

describe('parseAppDefinition: ids', () => {
  it.each([
    ['web', '/', '/web'],
    ['web', '/team-a', '/team-a/web'],
    ['./api', '/team-a/web', '/team-a/web/api'],
    ['../b/web', '/team-a/x', '/team-a/b/web'],
    ['/abs/web', '/team-a', '/abs/web'],
  ])('resolves id %j against %j to %j', (id, base, expected) => {
    expect(created(definition({ id }), base).id).toBe(expected);
  });

  it("resolves dependencies against the app's parent, once each", () => {
    const app = created(definition({ id: '/shop/web', dependencies: ['db', '../ops/log', '/shop/db', './cache'] }));
    expect(app.dependencies).toEqual(['/shop/db', '/ops/log', '/shop/cache']);
  });
});

describe('parseAppDefinition: legacy fields and tolerance', () => {
  it('converts ports to tcp port definitions', () => {
    expect(created(definition({ ports: [0, 8080] })).portDefinitions).toEqual([
      { port: 0, protocol: 'tcp' },
      { port: 8080, protocol: 'tcp' },
    ]);
  });

  it('accepts ports beside the port definitions they describe', () => {
    expect(created(definition({ ports: [80], portDefinitions: [{ port: 80, name: 'http' }] })).portDefinitions).toEqual([
      { port: 80, protocol: 'tcp', name: 'http' },
    ]);
  });

  it('keeps an explicit empty port list: an app without ports', () => {
    expect(created(definition({ portDefinitions: [] })).portDefinitions).toEqual([]);
    expect(created(definition({ ports: [] })).portDefinitions).toEqual([]);
  });

  it('converts uris to fetch entries, extracting archives only', () => {
    expect(created(definition({ uris: ['http://example.com/a.tar.gz?x=1', '/opt/tools/run.sh', 'file:///srv/b.zip'] })).fetch).toEqual([
      { uri: 'http://example.com/a.tar.gz?x=1', extract: true, executable: false, cache: false },
      { uri: '/opt/tools/run.sh', extract: false, executable: false, cache: false },
      { uri: 'file:///srv/b.zip', extract: true, executable: false, cache: false },
    ]);
  });

  it('reads null as not given, as Marathon does', () => {
    expect(created(definition({ container: null, user: null, args: null, upgradeStrategy: null }))).toEqual(created(definition()));
    expect(created(definition({ healthChecks: [{ protocol: 'TCP', command: null, path: null }] }))).toEqual(created(definition({ healthChecks: [{ protocol: 'TCP' }] })));
  });

  it('accepts and ignores the version fields the server sets', () => {
    const app = created(definition({ version: '2015-09-28T19:47:37.681Z', versionInfo: { lastScalingAt: 'x', lastConfigChangeAt: 'y' } }));
    expect(app).toEqual(created(definition()));
  });

  it('treats an empty args beside cmd as no args', () => {
    expect(created(definition({ args: [] }))).toEqual(created(definition()));
  });

  it('runs args without cmd', () => {
    const app = created({ id: '/web', args: ['python3', '-m', 'http.server'] });
    expect(app.args).toEqual(['python3', '-m', 'http.server']);
    expect(app.cmd).toBeUndefined();
  });

  it('writes constraint operators upper-case and drops repeats (Marathon keeps a set)', () => {
    expect(created(definition({ constraints: [['hostname', 'unique'], ['hostname', 'UNIQUE'], ['zone', 'GROUP_BY', '3']] })).constraints).toEqual([
      ['hostname', 'UNIQUE'],
      ['zone', 'GROUP_BY', '3'],
    ]);
  });

  it('keeps a partial upgrade strategy, filling the other share', () => {
    expect(created(definition({ upgradeStrategy: { minimumHealthCapacity: 0.5 } })).upgradeStrategy).toEqual({ minimumHealthCapacity: 0.5, maximumOverCapacity: 1 });
  });

  it('accepts the string "disabled" as unreachable strategy', () => {
    expect(created(definition({ unreachableStrategy: 'disabled' })).unreachableStrategy).toBe('disabled');
  });

  it('accepts an explicit host network', () => {
    expect(created(definition({ networks: [{ mode: 'host' }] })).networks).toEqual([{ mode: 'host' }]);
  });

  it('keeps what it does not interpret: labels, env, user, role, tty, storeUrls, roles', () => {
    const fields = {
      env: { PORT_NAME: 'http', '1ODD-NAME': 'x' },
      labels: { owner: 'zeus' },
      user: 'nobody',
      role: 'team-a',
      tty: true,
      storeUrls: ['http://example.com/store'],
      acceptedResourceRoles: ['*', 'public', '*'],
      taskKillGracePeriodSeconds: 30,
    };
    expect(created(definition(fields))).toMatchObject({ ...fields, acceptedResourceRoles: ['*', 'public'] });
  });
});

describe('parseAppDefinition: persistent volumes', () => {
  const stateful = definition({ container: { type: 'MESOS', volumes: [persistentVolume] } });

  it("keeps the volumes and applies Marathon's defaults for resident apps", () => {
    const app = created(stateful);
    expect(app.container).toEqual({ type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 512 } }] });
    expect(app.residency).toEqual({ relaunchEscalationTimeoutSeconds: 3600, taskLostBehavior: 'WAIT_FOREVER' });
    expect(app.upgradeStrategy).toEqual({ minimumHealthCapacity: 0.5, maximumOverCapacity: 0 });
    expect(app.unreachableStrategy).toBe('disabled');
  });

  it('keeps mount volumes with their size limit and path constraints', () => {
    const volume = { containerPath: 'db', mode: 'RW', persistent: { type: 'mount', size: 1024, maxSize: 4096, constraints: [['path', 'LIKE', '/mnt/ssd-.*']] } };
    expect(created(definition({ container: { type: 'MESOS', volumes: [volume] } })).container?.volumes).toEqual([volume]);
  });

  it('keeps host volumes of a MESOS container', () => {
    const volume = { containerPath: '/etc/app', hostPath: '/srv/app/etc', mode: 'RO' };
    const app = created(definition({ container: { type: 'MESOS', volumes: [volume] } }));
    expect(app.container?.volumes).toEqual([volume]);
    expect(app.residency).toBeUndefined();
  });
});

describe('parseAppDefinition: problems', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['a missing id', { id: undefined }, '/id', 'is required'],
    ['the root as id', { id: '/' }, '/id', 'must name the app, not the root group'],
    ['a bad id segment', { id: '/team_a/web' }, '/id', 'segment "team_a" of "/team_a/web" is not valid'],
    ['a reserved id', { id: '/web/tasks' }, '/id', 'reserved by the /v2 API'],
    ['too few cpus', { cpus: 0 }, '/cpus', 'must be at least 0.001, not 0'],
    ['cpus as text', { cpus: '1' }, '/cpus', 'must be a number, not "1"'],
    ['negative mem', { mem: -1 }, '/mem', 'must be at least 0, not -1'],
    ['negative disk', { disk: -5 }, '/disk', 'must be at least 0, not -5'],
    ['fractional gpus', { gpus: 0.5 }, '/gpus', 'must be a whole number, not 0.5'],
    ['negative instances', { instances: -1 }, '/instances', 'must be at least 0, not -1'],
    ['an empty cmd', { cmd: '' }, '/cmd', 'must not be empty'],
    ['cmd and args', { args: ['sleep', '1'] }, '/args', 'give cmd (run by a shell) or args'],
    ['neither cmd nor args', { cmd: undefined }, '/', 'an app needs cmd'],
    ['a secret in env', { env: { PASSWORD: { secret: '/db/password' } } }, '/env/PASSWORD', 'secrets are not supported yet'],
    ['a number in env', { env: { N: 1 } }, '/env/N', "an environment variable's value is a string, not 1"],
    ['a number as label', { labels: { n: 1 } }, '/labels/n', 'must be a string, not 1'],
    ['an unknown port protocol', { portDefinitions: [{ protocol: 'sctp' }] }, '/portDefinitions/0/protocol', 'must be one of "tcp", "udp", "udp,tcp", not "sctp"'],
    ['a bad port name', { portDefinitions: [{ name: 'HTTP' }] }, '/portDefinitions/0/name', 'a port name is lowercase letters'],
    ['a port out of range', { portDefinitions: [{ port: 70000 }] }, '/portDefinitions/0/port', 'must be at most 65535, not 70000'],
    ['a repeated port name', { portDefinitions: [{ name: 'http' }, { name: 'http' }] }, '/portDefinitions/1/name', 'port name "http" is already used by port definition 0'],
    ['a repeated fixed port', { portDefinitions: [{ port: 80 }, { port: 80 }] }, '/portDefinitions/1/port', 'port 80 is already used by port definition 0'],
    ['a repeated legacy port', { ports: [8080, 0, 8080] }, '/ports/2', 'port 8080 is already given at ports/0'],
    ['ports that disagree with portDefinitions', { ports: [80], portDefinitions: [{ port: 81 }] }, '/ports', 'give portDefinitions or the legacy ports, not both'],
    ['a bad constraint', { constraints: [['hostname', 'UNIQUE', 'x']] }, '/constraints/0', 'UNIQUE takes no value'],
    ['a health check port index past the ports', { healthChecks: [{ portIndex: 1 }] }, '/healthChecks/0/portIndex', 'points at port definition 1, but the app has 1'],
    ['a health check on an app without ports', { portDefinitions: [], healthChecks: [{ protocol: 'TCP' }] }, '/healthChecks/0/portIndex', 'the app has no port definitions'],
    ['a COMMAND check without command', { healthChecks: [{ protocol: 'COMMAND' }] }, '/healthChecks/0/command', 'a COMMAND health check needs a command'],
    ['a command on an HTTP check', { healthChecks: [{ command: { value: 'true' } }] }, '/healthChecks/0/protocol', 'must have protocol COMMAND, not HTTP'],
    ['a check with port and portIndex', { healthChecks: [{ port: 80, portIndex: 0 }] }, '/healthChecks/0/port', 'give either port or portIndex, not both'],
    ['an unknown health check protocol', { healthChecks: [{ protocol: 'UDP' }] }, '/healthChecks/0/protocol', 'must be one of "HTTP", "HTTPS", "TCP", "COMMAND"'],
    ['two agent-side checks', { healthChecks: [{ protocol: 'MESOS_HTTP' }, { protocol: 'MESOS_TCP' }] }, '/healthChecks', 'at most one MESOS_HTTP'],
    ['an IPv6 check', { healthChecks: [{ protocol: 'MESOS_HTTP', ipProtocol: 'IPv6' }] }, '/healthChecks/0/ipProtocol', 'IPv6 health checks need a Docker container'],
    ['a readiness check on an unnamed port', { readinessChecks: [{ portName: 'http' }] }, '/readinessChecks/0/portName', 'no port definition is named "http": use one of "default"'],
    ['a readiness timeout past its interval', { portDefinitions: [{ name: 'http-api' }], readinessChecks: [{ intervalSeconds: 5, timeoutSeconds: 5 }] }, '/readinessChecks/0/timeoutSeconds', 'must be less than intervalSeconds (5)'],
    ['two readiness checks', { portDefinitions: [{ name: 'http-api' }], readinessChecks: [{}, { name: 'b' }] }, '/readinessChecks', 'at most one readiness check'],
    ['an upgrade share above 1', { upgradeStrategy: { minimumHealthCapacity: 1.5 } }, '/upgradeStrategy/minimumHealthCapacity', 'must be at most 1, not 1.5'],
    ['a backoff factor below 1', { backoffFactor: 0.5 }, '/backoffFactor', 'must be at least 1, not 0.5'],
    ['a fractional launch delay', { maxLaunchDelaySeconds: 1.5 }, '/maxLaunchDelaySeconds', 'must be a whole number'],
    ['an unknown kill selection', { killSelection: 'RANDOM' }, '/killSelection', 'must be one of "YOUNGEST_FIRST", "OLDEST_FIRST", not "RANDOM"'],
    ['an unreachable strategy expunging first', { unreachableStrategy: { inactiveAfterSeconds: 600, expungeAfterSeconds: 300 } }, '/unreachableStrategy/inactiveAfterSeconds', 'must be at most expungeAfterSeconds (300)'],
    ['a negative unreachable timeout', { unreachableStrategy: { inactiveAfterSeconds: -1 } }, '/unreachableStrategy/inactiveAfterSeconds', 'must be at least 0, not -1'],
    ['an unknown unreachable strategy', { unreachableStrategy: 'enabled' }, '/unreachableStrategy', 'must be "disabled" or {"inactiveAfterSeconds"'],
    ['a fetch URI of another scheme', { fetch: [{ uri: 's3://bucket/app.tgz' }] }, '/fetch/0/uri', 'the scheme "s3:" is not supported'],
    ['a malformed fetch URI', { fetch: [{ uri: 'http://' }] }, '/fetch/0/uri', '"http://" is not a valid URI'],
    ['a legacy URI of another scheme', { uris: ['hdfs://nn/app.jar'] }, '/uris/0', 'the scheme "hdfs:" is not supported'],
    ['fetch and uris', { fetch: [{ uri: '/a' }], uris: ['/b'] }, '/uris', 'give fetch or the legacy uris, not both'],
    ['a Docker image', { container: { type: 'DOCKER', docker: { image: 'nginx' } } }, '/container/docker', 'container images are not supported yet'],
    ['a Mesos container with an image', { container: { type: 'MESOS', docker: { image: 'nginx' } } }, '/container/docker', 'container images are not supported yet'],
    ['a container of the default type', { container: { volumes: [] } }, '/container/type', 'container images are not supported yet'],
    ['a secret volume', { container: { type: 'MESOS', volumes: [{ containerPath: 's', secret: 'x' }] } }, '/container/volumes/0/secret', 'secret volumes are not supported yet'],
    ['a volume of no kind', { container: { type: 'MESOS', volumes: [{ containerPath: 'x', mode: 'RW' }] } }, '/container/volumes/0', 'a volume needs persistent'],
    ['a persistent volume path with a slash', { container: { type: 'MESOS', volumes: [{ ...persistentVolume, containerPath: '/data' }] } }, '/container/volumes/0/containerPath', 'give its name without "/"'],
    ['a read-only persistent volume', { container: { type: 'MESOS', volumes: [{ ...persistentVolume, mode: 'RO' }] } }, '/container/volumes/0/mode', 'a persistent volume is read-write'],
    ['a persistent volume without size', { container: { type: 'MESOS', volumes: [{ containerPath: 'data', persistent: {} }] } }, '/container/volumes/0/persistent/size', 'is required'],
    ['a maxSize on a root volume', { container: { type: 'MESOS', volumes: [{ containerPath: 'd', persistent: { size: 1, maxSize: 2 } }] } }, '/container/volumes/0/persistent/maxSize', 'only mount volumes have a maxSize'],
    ['a constraint on a root volume', { container: { type: 'MESOS', volumes: [{ containerPath: 'd', persistent: { size: 1, constraints: [['path', 'LIKE', 'x']] } }] } }, '/container/volumes/0/persistent/constraints/0', 'root volumes take no constraints'],
    ['a resident app with over-capacity', { container: { type: 'MESOS', volumes: [persistentVolume] }, upgradeStrategy: { maximumOverCapacity: 0.5 } }, '/upgradeStrategy/maximumOverCapacity', 'must be 0 for an app with persistent volumes'],
    ['a resident app replaced when unreachable', { container: { type: 'MESOS', volumes: [persistentVolume] }, unreachableStrategy: { inactiveAfterSeconds: 60, expungeAfterSeconds: 120 } }, '/unreachableStrategy', 'must be "disabled" for an app with persistent volumes'],
    ['secrets', { secrets: { secret1: { source: '/db/password' } } }, '/secrets', 'secrets are not supported yet'],
    ['container networking', { networks: [{ mode: 'container', name: 'dcos' }] }, '/networks/0/mode', 'container networking is not supported yet'],
    ['a custom executor', { executor: '/opt/executor' }, '/executor', 'custom executors are not supported yet'],
    ['an IP per task', { ipAddress: { networkName: 'dcos' } }, '/ipAddress', 'ipAddress (an IP address per task) is not supported yet'],
    ['resource limits', { resourceLimits: { cpus: 'unlimited' } }, '/resourceLimits', 'resourceLimits are not supported yet'],
    ['a single-instance app scaled out', { labels: { MARATHON_SINGLE_INSTANCE_APP: 'true' }, instances: 2, upgradeStrategy: { minimumHealthCapacity: 0, maximumOverCapacity: 0 } }, '/instances', 'runs at most 1 instance'],
    ['a single-instance app with overlap', { labels: { MARATHON_SINGLE_INSTANCE_APP: 'true' } }, '/upgradeStrategy', 'upgrades with minimumHealthCapacity 0 and maximumOverCapacity 0'],
    ['a negative kill grace period', { taskKillGracePeriodSeconds: -1 }, '/taskKillGracePeriodSeconds', 'must be at least 0, not -1'],
    ['no accepted roles', { acceptedResourceRoles: [] }, '/acceptedResourceRoles', 'must have at least 1 item'],
    ['a bad dependency', { dependencies: ['Db'] }, '/dependencies/0', 'segment "Db" of "Db" is not valid'],
    ['a dependency on the root', { dependencies: ['/'] }, '/dependencies/0', 'cannot depend on the root group'],
    ['an unknown field', { instnaces: 3 }, '/instnaces', 'is not a field of a Marathon app definition: check its spelling'],
    ['an unknown nested field', { healthChecks: [{ protcol: 'TCP' }] }, '/healthChecks/0/protcol', 'is not a field Marathon knows here'],
  ])('reports %s', (_, fields, path, message) => {
    const found = details(parseAppDefinition(definition(fields), { mode: 'create' }));
    expect(found).toContainEqual({ path, errors: [expect.stringContaining(message)] });
    expect(found).toHaveLength(1);
  });

  it('reports every problem at once, sorted by path', () => {
    const result = parseAppDefinition(
      { id: 'Web', cpus: 'x', mem: -1, cmd: 'x', args: ['y'], env: { A: { secret: 's' } }, healthChecks: [{ portIndex: 2 }], fetch: [{ uri: 'ftp://x' }], foo: 1 },
      { mode: 'create' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe('Object is not valid');
    expect(details(result).map((d) => d.path)).toEqual(['/args', '/cpus', '/env/A', '/fetch/0/uri', '/foo', '/healthChecks/0/portIndex', '/id', '/mem']);
  });

  it('says what an app definition is when given something else', () => {
    for (const json of [null, [], 'app', 3]) {
      expect(details(parseAppDefinition(json, { mode: 'create' }))).toEqual([{ path: '/', errors: [expect.stringContaining('an app definition is a JSON object')] }]);
    }
  });

  it('drops unknown fields on update, at every depth', () => {
    const result = parseAppDefinition(definition({ tasksRunning: 3, deployments: [], healthChecks: [{ protocol: 'TCP', extra: 1 }] }), { mode: 'update' });
    expect(result).toEqual({ ok: true, app: created(definition({ healthChecks: [{ protocol: 'TCP' }] })) });
  });

  it('survives definitions nested far too deep, refusing them', () => {
    let labels: unknown = 'x';
    for (let i = 0; i < 100_000; i++) labels = { a: labels };
    expect(details(parseAppDefinition(definition({ labels }), { mode: 'create' }))).toEqual([{ path: '/labels/a', errors: ['must be a string, not an object'] }]);
  });

  it('still refuses what Gantry cannot run on update', () => {
    expect(details(parseAppDefinition(definition({ secrets: { a: { source: 'b' } } }), { mode: 'update' })).map((d) => d.path)).toEqual(['/secrets']);
  });
});

/** Valid definitions from the fields whose interplay matters: ports, checks, legacy forms, volumes. */
const validDefinition = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,6}[a-z0-9]$/).filter((s) => !['tasks', 'restart', 'versions'].includes(s)),
    instances: fc.nat(20),
    cpus: fc.double({ min: 0.001, max: 64, noNaN: true }),
    mem: fc.double({ min: 0, max: 65536, noNaN: true }), // min 0 excludes -0, which JSON cannot carry
    ports: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { maxLength: 3 }),
    legacyPorts: fc.boolean(),
    health: fc.constantFrom(undefined, 'HTTP', 'TCP', 'MESOS_HTTP', 'COMMAND'),
    uris: fc.array(fc.constantFrom('http://example.com/a.tgz', '/opt/run.sh', 'file:///srv/x.zip'), { maxLength: 2 }),
    resident: fc.boolean(),
    killSelection: fc.constantFrom('YOUNGEST_FIRST', 'OLDEST_FIRST'),
  })
  .map((f) => ({
    id: f.name,
    cmd: 'sleep 1000',
    instances: f.instances,
    cpus: f.cpus,
    mem: f.mem,
    killSelection: f.killSelection,
    ...(f.legacyPorts ? { ports: f.ports } : { portDefinitions: f.ports.map((port, i) => ({ port, name: `p${i}` })) }),
    ...(f.health !== undefined &&
      f.ports.length > 0 && { healthChecks: [f.health === 'COMMAND' ? { protocol: 'COMMAND', command: { value: 'true' } } : { protocol: f.health }] }),
    ...(f.uris.length > 0 && { uris: f.uris }),
    ...(f.resident && { container: { type: 'MESOS', volumes: [persistentVolume] } }),
  }));

describe('parseAppDefinition: properties', () => {
  it('accepts every valid definition, and reads its own output back unchanged', () => {
    fc.assert(
      fc.property(validDefinition, fc.constantFrom('/', '/team-a', '/team-a/svc'), (json, base) => {
        const app = created(json, base);
        expect(parseAppDefinition(app, { mode: 'create', base: '/elsewhere' })).toEqual({ ok: true, app });
        expect(parseAppDefinition(JSON.parse(JSON.stringify(app)), { mode: 'update' })).toEqual({ ok: true, app });
      }),
    );
  });

  it('reports the same problems for the same input', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('id', 'cpus', 'mem', 'cmd', 'args', 'ports', 'healthChecks', 'x'), fc.jsonValue()), (json) => {
        expect(parseAppDefinition(json, { mode: 'create' })).toEqual(parseAppDefinition(structuredClone(json), { mode: 'create' }));
      }),
    );
  });
});

describe('AppDefinition', () => {
  it('reads like parseAppDefinition, for tRPC inputs', () => {
    expect(AppDefinition.parse(definition({ id: 'web' }))).toEqual(created(definition()));
    const bad = { id: 'Web', cpus: 0, extra: true };
    const result = AppDefinition.safeParse(bad);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(fieldErrors(result.error)).toEqual(details(parseAppDefinition(bad, { mode: 'create' })));
  });
});

describe('mergeAppUpdate', () => {
  const existing = created(definition({ id: '/shop/web', instances: 2, portDefinitions: [{ port: 0, name: 'http' }], fetch: [{ uri: '/opt/a.tgz' }], user: 'nobody' }));

  it('replaces the fields the patch gives and keeps the others', () => {
    const result = mergeAppUpdate(existing, { instances: 5, env: { A: 'b' } });
    expect(result).toEqual({ ok: true, app: { ...existing, instances: 5, env: { A: 'b' } } });
  });

  it('keeps a field the patch sets to null', () => {
    expect(mergeAppUpdate(existing, { user: null, instances: 3 })).toEqual({ ok: true, app: { ...existing, instances: 3 } });
  });

  it('lets legacy ports and uris replace portDefinitions and fetch', () => {
    const result = mergeAppUpdate(existing, { ports: [8080], uris: ['http://example.com/b.zip'] });
    expect(result.ok && result.app.portDefinitions).toEqual([{ port: 8080, protocol: 'tcp' }]);
    expect(result.ok && result.app.fetch).toEqual([{ uri: 'http://example.com/b.zip', extract: true, executable: false, cache: false }]);
  });

  it('resolves relative dependencies in the patch against the app', () => {
    const result = mergeAppUpdate(existing, { dependencies: ['db'] });
    expect(result.ok && result.app.dependencies).toEqual(['/shop/db']);
  });

  it('accepts the id it keeps, relative or absolute, and refuses another', () => {
    expect(mergeAppUpdate(existing, { id: 'web', instances: 1 }).ok).toBe(true);
    expect(mergeAppUpdate(existing, { id: '/shop/web', instances: 1 }).ok).toBe(true);
    expect(details(mergeAppUpdate(existing, { id: '/shop/api' }))).toEqual([{ path: '/id', errors: [expect.stringContaining("an update keeps the app's id /shop/web")] }]);
  });

  it('ignores unknown fields and validates the result', () => {
    expect(mergeAppUpdate(existing, { tasksRunning: 3 })).toEqual({ ok: true, app: existing });
    expect(details(mergeAppUpdate(existing, { cpus: 'x', healthChecks: [{ portIndex: 4 }] })).map((d) => d.path)).toEqual(['/cpus', '/healthChecks/0/portIndex']);
    expect(details(mergeAppUpdate(existing, 'x'))).toEqual([{ path: '/', errors: [expect.stringContaining('an app update is a JSON object')] }]);
  });

  it('keeps the resident defaults of an app with persistent volumes', () => {
    const stateful = created(definition({ container: { type: 'MESOS', volumes: [persistentVolume] } }));
    expect(mergeAppUpdate(stateful, { cmd: 'sleep 2' })).toEqual({ ok: true, app: { ...stateful, cmd: 'sleep 2' } });
  });
});

describe('configChanged', () => {
  const app = created(definition({ healthChecks: [{}], labels: { a: 'b' } }));

  it.each<[string, Partial<App>, boolean]>([
    ['nothing', {}, false],
    ['instances only', { instances: 7 }, false],
    ['the command', { cmd: 'sleep 1' }, true],
    ['a label', { labels: { a: 'c' } }, true],
    ['cpus', { cpus: 2 }, true],
    ['instances and mem', { instances: 3, mem: 256 }, true],
    ['a health check', { healthChecks: [] }, true],
  ])('is %j for a change of %s', (_, change, expected) => {
    expect(configChanged(app, { ...app, ...change })).toBe(expected);
  });

  it('ignores key order, which a stored app read back may not keep', () => {
    const reordered = Object.fromEntries(Object.entries(app).reverse()) as unknown as App;
    reordered.healthChecks = app.healthChecks.map((check) => Object.fromEntries(Object.entries(check).reverse()) as unknown as AppHealthCheck);
    expect(configChanged(app, reordered)).toBe(false);
  });
});
