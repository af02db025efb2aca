import { z } from 'zod';
import { change, perAppProcedure } from './per-app.js';
import { router } from './trpc.js';

/**
 * The console's Catalog section: package repositories, search, describe, the install
 * form's validation, install / update / uninstall, installed packages, and stateful
 * services with their plans, pods and operator verbs — each through CatalogApi or
 * StatefulApi, the same layer as `/v1/packages` and `/v1/stateful`, which authorize
 * (`gantry:package`, and `gantry:service:<id>` for the service a call touches).
 *
 * Changes answer with a value: `{ok: true, …}`, or the API's 409/422 refusal with its
 * message and `{path, errors}` details, which the console shows at the field.
 * Other refusals (403, 404) throw.
 */

const Name = z.string().min(1).max(100);
const Version = z.string().min(1).max(100).optional();
const Repository = z.string().min(1).max(64).optional();
const Options = z.record(z.string(), z.unknown()).default({});
const ServiceId = z.string().min(1).max(512);
const PlanName = z.string().min(1).max(100);
const Element = z.string().min(1).max(300);

const PackageRef = z.object({ name: Name, version: Version, repository: Repository });

const statefulRouter = router({
  list: perAppProcedure.query(async ({ ctx }) => ({ services: await ctx.stateful.list(ctx.principal) })),

  get: perAppProcedure.input(z.object({ id: ServiceId })).query(({ ctx, input }) => ctx.stateful.get(ctx.principal, input.id)),

  create: perAppProcedure.input(z.object({ definition: z.unknown() })).mutation(({ ctx, input }) =>
    change(async () => ({ service: await ctx.stateful.create(ctx.principal, input.definition) }))),

  update: perAppProcedure.input(z.object({ id: ServiceId, definition: z.unknown() })).mutation(({ ctx, input }) =>
    change(() => ctx.stateful.update(ctx.principal, input.id, input.definition))),

  uninstall: perAppProcedure.input(z.object({ id: ServiceId, destroyData: z.boolean().default(false) })).mutation(({ ctx, input }) =>
    change(() => ctx.stateful.uninstall(ctx.principal, input.id, input.destroyData))),

  pausePlan: perAppProcedure.input(z.object({ id: ServiceId, plan: PlanName, phase: Element.optional() })).mutation(({ ctx, input }) =>
    change(() => ctx.stateful.pausePlan(ctx.principal, input.id, { plan: input.plan, ...(input.phase !== undefined ? { phase: input.phase } : {}) }))),

  resumePlan: perAppProcedure.input(z.object({ id: ServiceId, plan: PlanName, phase: Element.optional() })).mutation(({ ctx, input }) =>
    change(() => ctx.stateful.resumePlan(ctx.principal, input.id, { plan: input.plan, ...(input.phase !== undefined ? { phase: input.phase } : {}) }))),

  restartStep: perAppProcedure.input(z.object({ id: ServiceId, plan: PlanName, phase: Element.optional(), step: Element.optional() })).mutation(({ ctx, input }) =>
    change(() => ctx.stateful.restartStep(ctx.principal, input.id, {
      plan: input.plan, ...(input.phase !== undefined ? { phase: input.phase } : {}), ...(input.step !== undefined ? { step: input.step } : {}),
    }))),

  forceCompleteStep: perAppProcedure.input(z.object({ id: ServiceId, plan: PlanName, phase: Element, step: Element })).mutation(({ ctx, input }) =>
    change(() => ctx.stateful.forceCompleteStep(ctx.principal, input.id, { plan: input.plan, phase: input.phase, step: input.step }))),

  restartPod: perAppProcedure.input(z.object({ id: ServiceId, pod: Element })).mutation(({ ctx, input }) =>
    change(() => ctx.stateful.restartPod(ctx.principal, input.id, input.pod))),

  /** Destroys the pod's volumes on its node: the answer's `warning` says what is lost. */
  replacePod: perAppProcedure.input(z.object({ id: ServiceId, pod: Element })).mutation(({ ctx, input }) =>
    change(() => ctx.stateful.replacePod(ctx.principal, input.id, input.pod))),
});

export const catalogRouter = router({
  repositories: perAppProcedure.query(async ({ ctx }) => ({ repositories: await ctx.catalog.repositories(ctx.principal) })),

  addRepository: perAppProcedure.input(z.object({ name: z.string().max(64), uri: z.string().min(1).max(2048), index: z.int().min(0).optional() })).mutation(({ ctx, input }) =>
    change(async () => ({ repository: await ctx.catalog.addRepository(ctx.principal, input) }))),

  removeRepository: perAppProcedure.input(z.object({ name: z.string().min(1).max(64) })).mutation(({ ctx, input }) =>
    change(async () => {
      await ctx.catalog.removeRepository(ctx.principal, input.name);
      return { name: input.name };
    })),

  search: perAppProcedure.input(z.object({ q: z.string().max(200).default('') })).query(async ({ ctx, input }) => ({ packages: await ctx.catalog.search(ctx.principal, input.q) })),

  describe: perAppProcedure.input(PackageRef).query(({ ctx, input }) => ctx.catalog.describe(ctx.principal, input.name, input.version, input.repository)),

  /** The install form's validation, the install's own: `{ok, options (defaults merged), details}`. */
  checkOptions: perAppProcedure.input(PackageRef.extend({ options: Options })).query(({ ctx, input }) => ctx.catalog.checkOptions(ctx.principal, input)),

  install: perAppProcedure.input(PackageRef.extend({ options: Options })).mutation(({ ctx, input }) =>
    change(() => ctx.catalog.install(ctx.principal, input))),

  installs: perAppProcedure.query(async ({ ctx }) => ({ installs: await ctx.catalog.installs(ctx.principal) })),

  update: perAppProcedure.input(z.object({ id: ServiceId, version: Version, options: z.record(z.string(), z.unknown()).optional(), replace: z.boolean().default(false), force: z.boolean().default(false) })).mutation(({ ctx, input }) =>
    change(() => ctx.catalog.update(ctx.principal, input.id, input))),

  uninstall: perAppProcedure.input(z.object({ id: ServiceId, destroyData: z.boolean().default(false) })).mutation(({ ctx, input }) =>
    change(() => ctx.catalog.uninstall(ctx.principal, input.id, { destroyData: input.destroyData }))),

  stateful: statefulRouter,
});
