import type { ApiEvent } from '#handlers/http/request';

/** A stand-in bearer token for unit tests: the claims themselves, which `verifyTestToken` accepts. */
export const testToken = (claims: Record<string, unknown>) =>
  `test.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
export const verifyTestToken = async (token: string) =>
  token.startsWith('test.')
    ? (JSON.parse(Buffer.from(token.slice(5), 'base64url').toString('utf8')) as Record<string, unknown>)
    : undefined;

/** An API Gateway HTTP API (v2) event as the gateway would deliver it (claims travel as a bearer token). */
export const apiEvent = (
  routeKey: string,
  opts: {
    method?: string;
    path?: string;
    body?: string;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    pathParameters?: Record<string, string>;
    claims?: Record<string, unknown>;
    isBase64Encoded?: boolean;
  } = {},
): ApiEvent => {
  const [method, path] =
    routeKey === '$default' ? [opts.method ?? 'GET', opts.path ?? '/'] : routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: opts.path ?? path!,
    rawQueryString: '',
    headers: {
      ...(opts.claims ? { authorization: `Bearer ${testToken(opts.claims)}` } : {}),
      ...opts.headers,
    },
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    isBase64Encoded: opts.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: method!,
        path: opts.path ?? path!,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  } as ApiEvent;
};
