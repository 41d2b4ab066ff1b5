import { describe, expect, it } from 'vitest';
import { actorSchema, regionInScope } from '#core/actor';

describe('actor', () => {
  it.each([
    ['province_admin', '32'],
    ['city_admin', '3205'],
    ['county_admin', '320582'],
    ['auditor', '3205'],
    ['school', '3205820001'],
    ['inspector', 'I320582001'],
  ])('accepts %s with scope %s', (role, scope) => {
    expect(actorSchema.safeParse({ subject: 's', role, scope }).success).toBe(true);
  });

  it.each([
    ['province_admin', '3205'],
    ['city_admin', '32'],
    ['county_admin', '32058'],
    ['auditor', 'everything'],
    ['school', '320582'],
    ['superuser', '32'],
  ])('refuses %s with scope %s', (role, scope) => {
    expect(actorSchema.safeParse({ subject: 's', role, scope }).success).toBe(false);
  });

  it('puts regions under an admin scope in scope, and nothing else', () => {
    const city = actorSchema.parse({ subject: 's', role: 'city_admin', scope: '3205' });
    expect(regionInScope(city, '320582')).toBe(true);
    expect(regionInScope(city, '3205')).toBe(true);
    expect(regionInScope(city, '3206')).toBe(false);
    const school = actorSchema.parse({ subject: 's', role: 'school', scope: '3205820001' });
    expect(regionInScope(school, '320582')).toBe(false);
  });
});
