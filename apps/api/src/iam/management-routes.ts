import { ACTIONS, hashPassword, isRsaPublicKey, mayGrant, parseResource } from '@gantry/auth';
import { invalid } from '@gantry/specs';
import { z } from 'zod';
import { readJsonBody } from '../http/body.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import { ConflictError, NotFoundError, type IamRepository } from './repository.js';

/**
 * Managing identities and grants: `/v1/iam/...`, in the shape of DC/OS's IAM API
 * (users, service accounts, groups, memberships, grants). Everything needs a grant on
 * `gantry:iam`; granting additionally needs the granted permission itself (no
 * escalation: nobody gives what they do not hold).
 */
const Name = z.string().regex(/^[a-z0-9][a-z0-9._@-]{0,63}$/, {
  message: 'use 1-64 lowercase letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
});
const UserBody = z.strictObject({
  description: z.string().max(500).default(''),
  password: z.string().min(8, { message: 'password must be at least 8 characters' }).max(1024).optional(),
});
const ServiceAccountBody = z.strictObject({
  description: z.string().max(500).default(''),
  publicKey: z.string().min(1, { message: 'publicKey is required: the PEM of the account\'s RSA public key' }).max(10_000),
});
const GroupBody = z.strictObject({ description: z.string().max(500).default('') });
const GrantBody = z.strictObject({
  subject: z.strictObject({ kind: z.enum(['USER', 'GROUP']), id: Name }),
  resource: z.string().max(1000).refine((r) => parseResource(r) !== null, {
    message: 'resource must look like gantry:service:/team-a (colon-separated names, optionally ending in a path)',
  }),
  action: z.enum(ACTIONS),
});

const iam = (action: 'read' | 'create' | 'update' | 'delete') => ({ resource: 'gantry:iam', action }) as const;

export function iamRoutes(repo: IamRepository): Route[] {
  const withErrors = (handle: Route['handle']): Route['handle'] => async (ctx) => {
    try {
      await handle(ctx);
    } catch (error) {
      if (error instanceof NotFoundError) return sendError(ctx.res, 404, { message: error.message });
      if (error instanceof ConflictError) return sendError(ctx.res, 409, { message: error.message });
      throw error;
    }
  };
  const name = (value: string | undefined, field: string) => {
    const parsed = Name.safeParse(value);
    return parsed.success ? null : { message: 'Object is not valid', details: [{ path: `/${field}`, errors: parsed.error.issues.map((i) => i.message) }] };
  };

  return [
    {
      method: 'GET', path: '/v1/iam/users', access: iam('read'),
      handle: async ({ res }) => {
        const users = await repo.listUsers();
        sendJson(res, 200, {
          users: users.map((u) => ({
            uid: u.uid, description: u.description, provider: u.provider, kind: u.provider === 'SERVICE' ? 'service' : 'user',
            groups: u.memberships.map((m) => m.gid), createdAt: u.createdAt.toISOString(),
          })),
        });
      },
    },
    {
      method: 'PUT', path: '/v1/iam/users/:uid', access: iam('create'),
      handle: withErrors(async ({ req, res, params }) => {
        const bad = name(params.uid, 'uid');
        if (bad) return sendError(res, 422, bad);
        const body = UserBody.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        const hash = body.data.password ? await hashPassword(body.data.password) : undefined;
        const result = await repo.putLocalUser(params.uid!, body.data.description, hash);
        sendJson(res, result === 'created' ? 201 : 200, { uid: params.uid, result });
      }),
    },
    {
      method: 'PUT', path: '/v1/iam/service-accounts/:uid', access: iam('create'),
      handle: withErrors(async ({ req, res, params }) => {
        const bad = name(params.uid, 'uid');
        if (bad) return sendError(res, 422, bad);
        const body = ServiceAccountBody.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        if (!(await isRsaPublicKey(body.data.publicKey))) {
          return sendError(res, 422, { message: 'Object is not valid', details: [{ path: '/publicKey', errors: ['not an RSA public key in PEM (SPKI) form; make one with: openssl rsa -in key.pem -pubout'] }] });
        }
        const result = await repo.putServiceAccount(params.uid!, body.data.description, body.data.publicKey);
        sendJson(res, result === 'created' ? 201 : 200, { uid: params.uid, result });
      }),
    },
    {
      method: 'DELETE', path: '/v1/iam/users/:uid', access: iam('delete'),
      handle: withErrors(async ({ res, params, principal }) => {
        if (params.uid === principal!.uid) return sendError(res, 409, { message: 'you cannot delete yourself' });
        if (!(await repo.deleteUser(params.uid!))) return sendError(res, 404, { message: `no user ${params.uid}` });
        res.writeHead(204).end();
      }),
    },
    {
      method: 'GET', path: '/v1/iam/groups', access: iam('read'),
      handle: async ({ res }) => {
        const groups = await repo.listGroups();
        sendJson(res, 200, { groups: groups.map((g) => ({ gid: g.gid, description: g.description, members: g.members.map((m) => m.uid) })) });
      },
    },
    {
      method: 'PUT', path: '/v1/iam/groups/:gid', access: iam('create'),
      handle: withErrors(async ({ req, res, params }) => {
        const bad = name(params.gid, 'gid');
        if (bad) return sendError(res, 422, bad);
        const body = GroupBody.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        await repo.putGroup(params.gid!, body.data.description);
        sendJson(res, 200, { gid: params.gid });
      }),
    },
    {
      method: 'DELETE', path: '/v1/iam/groups/:gid', access: iam('delete'),
      handle: withErrors(async ({ res, params }) => {
        if (!(await repo.deleteGroup(params.gid!))) return sendError(res, 404, { message: `no group ${params.gid}` });
        res.writeHead(204).end();
      }),
    },
    {
      method: 'PUT', path: '/v1/iam/groups/:gid/users/:uid', access: iam('update'),
      handle: withErrors(async ({ res, params }) => {
        await repo.addMember(params.gid!, params.uid!);
        res.writeHead(204).end();
      }),
    },
    {
      method: 'DELETE', path: '/v1/iam/groups/:gid/users/:uid', access: iam('update'),
      handle: withErrors(async ({ res, params }) => {
        if (!(await repo.removeMember(params.gid!, params.uid!))) return sendError(res, 404, { message: `${params.uid} is not in ${params.gid}` });
        res.writeHead(204).end();
      }),
    },
    {
      method: 'GET', path: '/v1/iam/grants', access: iam('read'),
      handle: async ({ res }) => sendJson(res, 200, { grants: await repo.listGrants() }),
    },
    ...(['POST', 'DELETE'] as const).map((method): Route => ({
      method, path: '/v1/iam/grants', access: iam('update'),
      handle: withErrors(async ({ req, res, principal }) => {
        const body = GrantBody.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        const { subject, resource, action } = body.data;
        if (!mayGrant(principal!.grants, { resource, action })) {
          return sendError(res, 403, { message: `forbidden: you do not hold ${action} on ${resource}, so you cannot ${method === 'POST' ? 'grant' : 'revoke'} it` });
        }
        if (method === 'DELETE') {
          if (!(await repo.revokeGrant(subject, { resource, action }))) return sendError(res, 404, { message: 'no such grant' });
          return void res.writeHead(204).end();
        }
        if (!(await repo.subjectExists(subject))) return sendError(res, 404, { message: `no ${subject.kind.toLowerCase()} ${subject.id}` });
        await repo.grant(subject, { resource, action });
        sendJson(res, 201, { subject, resource, action });
      }),
    })),
  ];
}
