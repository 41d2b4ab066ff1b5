import { type RouteDeclaration, routes } from '#infra/resources';

/** A declared route with its path template compiled, as API Gateway matches it. */
export interface CompiledRoute {
  readonly route: RouteDeclaration;
  readonly key: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

const compile = (route: RouteDeclaration): CompiledRoute => {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, key: `${route.method} ${route.path}`, pattern: new RegExp(`^${source}$`), params };
};

// Literal segments beat parameters (`/campaigns/new` before `/campaigns/{id}`), as in API Gateway.
const compiled: readonly CompiledRoute[] = (routes as readonly RouteDeclaration[])
  .map(compile)
  .sort((a, b) => a.params.length - b.params.length);

export interface RouteMatch {
  readonly route: RouteDeclaration;
  readonly key: string;
  readonly pathParameters: Record<string, string>;
}

/** Finds the declared route for a method and path, decoding path parameters. */
export const matchRoute = (method: string, path: string): RouteMatch | undefined => {
  for (const candidate of compiled) {
    if (candidate.route.method !== method) continue;
    const m = candidate.pattern.exec(path);
    if (!m) continue;
    const pathParameters: Record<string, string> = {};
    candidate.params.forEach((name, i) => {
      pathParameters[name] = safeDecode(m[i + 1]!);
    });
    return { route: candidate.route, key: candidate.key, pathParameters };
  }
  return undefined;
};

/** Methods declared for a path, to tell 405 from 404. */
export const methodsForPath = (path: string): string[] =>
  compiled.filter((c) => c.pattern.test(path)).map((c) => c.route.method);

const safeDecode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

export const routeByKey = (key: string): RouteDeclaration | undefined =>
  compiled.find((c) => c.key === key)?.route;
