import { z } from 'zod';

/**
 * Who is calling. `scope` means different things per role:
 * a region code for admins and auditors, an inspector id for inspectors,
 * a school id for schools (see ARCHITECTURE.md, "API"); for a supervised
 * government (县(区)/镇(区)政府, 督政) the 6-digit county or 9-digit town
 * code of that government.
 */
export const roles = [
  'province_admin',
  'city_admin',
  'county_admin',
  'inspector',
  'school',
  'auditor',
  'government',
] as const;
export type Role = (typeof roles)[number];

export const adminRoles = ['province_admin', 'city_admin', 'county_admin'] as const satisfies readonly Role[];

/** Region code length an admin's scope must have: 2 (province), 4 (city), 6 (county). */
const adminScopeLength: Record<(typeof adminRoles)[number], number> = {
  province_admin: 2,
  city_admin: 4,
  county_admin: 6,
};

const regionCode = z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a GB/T 2260 region code of 2, 4 or 6 digits');

export const actorSchema = z
  .object({
    subject: z.string().min(1),
    name: z.string().optional(),
    role: z.enum(roles),
    scope: z.string().min(1),
  })
  .superRefine((actor, ctx) => {
    if (actor.role in adminScopeLength) {
      const expected = adminScopeLength[actor.role as keyof typeof adminScopeLength];
      if (actor.scope.length !== expected || !regionCode.safeParse(actor.scope).success) {
        ctx.addIssue({
          code: 'custom',
          path: ['scope'],
          params: { zh: `${actor.role} 的管辖范围须为 ${expected} 位区划代码` },
          message: `${actor.role} needs a ${expected}-digit region code as scope`,
        });
      }
    }
    if (actor.role === 'auditor' && !regionCode.safeParse(actor.scope).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        params: { zh: 'auditor 的管辖范围须为区划代码' },
        message: 'auditor needs a region code as scope',
      });
    }
    if (actor.role === 'school' && !/^\d{10}$/.test(actor.scope)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        params: { zh: 'school 的管辖范围须为 10 位学校标识码' },
        message: 'school needs a 10-digit school code as scope',
      });
    }
    if (actor.role === 'government' && !/^\d{6}(\d{3})?$/.test(actor.scope)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        message: 'government needs a 6-digit county or 9-digit town region code as scope',
      });
    }
  });
export type Actor = z.infer<typeof actorSchema>;

export const isAdmin = (actor: Actor): boolean => (adminRoles as readonly Role[]).includes(actor.role);

/** True when `regionCode` lies inside a region-scoped actor's region. */
export const regionInScope = (actor: Actor, code: string): boolean =>
  (isAdmin(actor) || actor.role === 'auditor') && code.startsWith(actor.scope);
