import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aService, V1, V2 } from '../testing/service-builders.js';
import { planDeployment } from './plan-deployment.js';
import type { DeploymentPlanResult, ServiceSpec } from './types.js';

const apps = (...specs: ServiceSpec[]) => new Map(specs.map((s) => [s.id, s]));
const show = (plan: DeploymentPlanResult) => plan.steps.map((step) => step.map((a) => `${a.action.replace('Application', '')} ${a.app}`));

describe('planDeployment (Marathon DeploymentPlan)', () => {
  it('is empty when nothing changed, a new version alone included', () => {
    const a = aService().id('/a').build();
    expect(planDeployment(apps(a), apps({ ...a, version: V2 }))).toEqual({ ok: true, steps: [] });
  });

  it('starts a new app with 0 instances, then scales it in the next step', () => {
    expect(show(planDeployment(apps(), apps(aService().id('/a').instances(3).build())))).toEqual([['Start /a'], ['Scale /a']]);
  });

  it('restarts on a config change, scales on an instance change, stops a removed app', () => {
    const a = aService().id('/a').build();
    const b = aService().id('/b').instances(1).build();
    const c = aService().id('/c').build();
    const plan = planDeployment(apps(a, b, c), apps({ ...a, configVersion: V2, version: V2 }, { ...b, instances: 4 }));
    expect(show(plan)).toEqual([['Stop /c'], ['Restart /a', 'Scale /b']]);
  });

  it('makes a config change to 0 instances a ScaleApplication (Marathon isScaledToZero)', () => {
    const a = aService().id('/a').instances(3).build();
    expect(show(planDeployment(apps(a), apps({ ...a, configVersion: V2, instances: 0 })))).toEqual([['Scale /a']]);
  });

  it('orders steps by dependencies: an app after everything it depends on', () => {
    // web → api → db, and cache (no deps); worker → db.
    const target = apps(
      aService().id('/shop/db').build(),
      aService().id('/shop/cache').build(),
      aService().id('/shop/api').dependsOn('/shop/db').build(),
      aService().id('/shop/web').dependsOn('/shop/api', '/shop/cache').build(),
      aService().id('/shop/worker').dependsOn('/shop/db').build(),
    );
    expect(show(planDeployment(apps(), target))).toEqual([
      ['Start /shop/api', 'Start /shop/cache', 'Start /shop/db', 'Start /shop/web', 'Start /shop/worker'],
      ['Scale /shop/cache', 'Scale /shop/db'],
      ['Scale /shop/api', 'Scale /shop/worker'],
      ['Scale /shop/web'],
    ]);
  });

  it('resolves a dependency on a group to every app under it', () => {
    const target = apps(aService().id('/data/pg').build(), aService().id('/data/redis').build(), aService().id('/web').dependsOn('/data').build());
    expect(show(planDeployment(apps(), target)).slice(1)).toEqual([['Scale /data/pg', 'Scale /data/redis'], ['Scale /web']]);
  });

  it('keeps dependency layers of the whole target even when only a dependent changes', () => {
    const db = aService().id('/db').build();
    const web = aService().id('/web').dependsOn('/db').build();
    expect(show(planDeployment(apps(db, web), apps(db, { ...web, configVersion: V2 })))).toEqual([['Restart /web']]);
  });

  it('stops removed apps in reverse dependency order', () => {
    const original = apps(aService().id('/db').build(), aService().id('/api').dependsOn('/db').build(), aService().id('/web').dependsOn('/api').build());
    expect(show(planDeployment(original, apps()))).toEqual([['Stop /web'], ['Stop /api'], ['Stop /db']]);
  });

  it('reports a dependency cycle as an error value', () => {
    const target = apps(aService().id('/a').dependsOn('/b').build(), aService().id('/b').dependsOn('/c').build(), aService().id('/c').dependsOn('/a').build());
    const plan = planDeployment(apps(), target);
    expect(plan).toMatchObject({ ok: false, steps: [], error: { kind: 'DependencyCycle', cycle: ['/a', '/b', '/c', '/a'] } });
    expect(planDeployment(apps(), apps(aService().id('/self').dependsOn('/self').build()))).toMatchObject({ ok: false, error: { cycle: ['/self', '/self'] } });
  });

  it('property: every app appears at most once, after all its dependencies', () => {
    const arb = fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.array(fc.nat(7), { maxLength: 3 })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(arb, (rows) => {
        const original = new Map<string, ServiceSpec>();
        const target = new Map<string, ServiceSpec>();
        rows.forEach(([inOriginal, configChanged, instances, deps], i) => {
          // Dependencies only point at lower indexes: acyclic by construction.
          const spec = aService().id(`/app${i}`).instances(1).dependsOn(...deps.filter((d) => d < i).map((d) => `/app${d}`)).build();
          if (inOriginal) original.set(spec.id, spec);
          target.set(spec.id, { ...spec, instances, configVersion: configChanged ? V2 : V1 });
        });
        const plan = planDeployment(original, target);
        if (!plan.ok) return false;
        const stepOf = new Map<string, number>();
        plan.steps.forEach((step, k) => step.forEach((a) => a.action !== 'StartApplication' && stepOf.set(a.app, k)));
        const counted = plan.steps.flat().filter((a) => a.action !== 'StartApplication').length;
        if (counted !== stepOf.size) return false;
        for (const [id, k] of stepOf) for (const dep of target.get(id)!.dependencies) if (stepOf.has(dep) && stepOf.get(dep)! >= k) return false;
        return plan.steps.every((s) => s.length > 0);
      }),
    );
  });
});
