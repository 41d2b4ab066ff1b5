import { describe, expect, it } from 'vitest';
import { routes } from '#infra/resources';
import { matchRoute, methodsForPath } from '#lib/routes';

describe('route matching', () => {
  it('matches every declared route by its own path', () => {
    for (const route of routes) {
      const concrete = route.path.replace(/\{\w+\}/g, 'x1');
      expect(matchRoute(route.method, concrete)?.key).toBe(`${route.method} ${route.path}`);
    }
  });

  it('does not match other methods or paths', () => {
    expect(matchRoute('POST', '/health')).toBeUndefined();
    expect(matchRoute('GET', '/health/extra')).toBeUndefined();
    expect(matchRoute('GET', '/Health')).toBeUndefined();
    expect(methodsForPath('/me')).toEqual(['GET']);
    expect(methodsForPath('/nowhere')).toEqual([]);
  });
});
