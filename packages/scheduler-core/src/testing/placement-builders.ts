/** Builders for placement tests: `candidate('a1').zone('a').attr('rack','r1').res('cpus:4;mem:1024').obj()`. */
import type { AgentMode } from '../allocator/types.js';
import { res } from '../resources/parse.js';
import type { Resources } from '../resources/resources.js';
import type { AttributeValue, PlacedInstance, PlacementCandidate } from '../placement/types.js';

export class CandidateBuilder {
  private c: { -readonly [K in keyof PlacementCandidate]: PlacementCandidate[K] };

  constructor(agentId: string) {
    this.c = { id: `offer-${agentId}`, agentId, hostname: agentId, role: '*', resources: res('cpus:4;mem:4096;disk:10000;ports:[31000-31009]') };
  }

  res(text: string | Resources): this {
    this.c.resources = typeof text === 'string' ? res(text) : text;
    return this;
  }
  total(text: string): this {
    this.c.agentTotal = res(text);
    return this;
  }
  zone(z: string): this {
    this.c.zone = z;
    return this;
  }
  region(r: string): this {
    this.c.region = r;
    return this;
  }
  attr(name: string, value: AttributeValue): this {
    this.c.attributes = { ...(this.c.attributes ?? {}), [name]: value };
    return this;
  }
  role(r: string): this {
    this.c.role = r;
    return this;
  }
  mode(m: AgentMode): this {
    this.c.mode = m;
    return this;
  }
  obj(): PlacementCandidate {
    return { ...this.c };
  }
  placed(): PlacedInstance {
    const { agentId, hostname, zone, region, attributes } = this.c;
    return { agentId, hostname, ...(zone ? { zone } : {}), ...(region ? { region } : {}), ...(attributes ? { attributes } : {}) };
  }
}

export function candidate(agentId: string): CandidateBuilder {
  return new CandidateBuilder(agentId);
}
