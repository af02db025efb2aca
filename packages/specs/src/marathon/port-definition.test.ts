import { describe, expect, it } from 'vitest';
import { portDefinitionProblems, portDefinitionSchema, portDefinitionsFromPorts } from './port-definition.js';
import { parseWith } from './validation.js';

describe('portDefinitionSchema', () => {
  it.each([
    [{}, { port: 0, protocol: 'tcp' }],
    [{ port: 8080, protocol: 'udp,tcp', name: 'dns' }, { port: 8080, protocol: 'udp,tcp', name: 'dns' }],
    [{ port: 80, labels: { VIP_0: '/web:80' } }, { port: 80, protocol: 'tcp', labels: { VIP_0: '/web:80' } }],
    [{ port: 80, labels: {} }, { port: 80, protocol: 'tcp' }],
  ])('reads %j as %j', (input, expected) => {
    expect(parseWith(portDefinitionSchema('reject'), input, [])).toEqual({ ok: true, value: expected });
  });
});

describe('portDefinitionProblems', () => {
  it.each([
    [[{ port: 0, protocol: 'tcp' }, { port: 0, protocol: 'tcp' }], []],
    [[{ port: 80, protocol: 'tcp', name: 'a' }, { port: 81, protocol: 'tcp', name: 'b' }], []],
    [[{ port: 80, protocol: 'tcp' }, { port: 80, protocol: 'udp' }], [['portDefinitions', 1, 'port']]],
    [[{ port: 0, protocol: 'tcp', name: 'a' }, { port: 0, protocol: 'tcp', name: 'b' }, { port: 0, protocol: 'tcp', name: 'a' }], [['portDefinitions', 2, 'name']]],
  ] as const)('%j: problems at %j', (definitions, paths) => {
    expect(portDefinitionProblems(definitions, ['portDefinitions']).map((p) => p.path)).toEqual(paths);
  });
});

describe('portDefinitionsFromPorts', () => {
  it('makes one unnamed tcp definition per legacy port', () => {
    expect(portDefinitionsFromPorts([0, 10001])).toEqual([
      { port: 0, protocol: 'tcp' },
      { port: 10001, protocol: 'tcp' },
    ]);
  });
});
