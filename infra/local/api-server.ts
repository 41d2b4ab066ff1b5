import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BadRequestError, PayloadTooLargeError } from '#core/errors';
import { problemResponse, toProblem } from '#handlers/http/problem';
import type { ApiEvent } from '#handlers/http/request';
import { apiCors } from '#infra/resources';
import { matchRoute } from '#lib/routes';
import { localAccount } from './functions.ts';

/** API Gateway's own limit on a request body. */
const gatewayMaxBodyBytes = 10 * 1024 * 1024;

/**
 * The local stand-in for API Gateway (HTTP API): matches the declared routes
 * and hands the same `APIGatewayProxyEventV2` to the same API handler, which
 * verifies bearer tokens itself (as it does in AWS, where no JWT authorizer
 * sits in front of it).
 */
export interface LocalApi {
  readonly url: string;
  stop(): Promise<void>;
}

export const startLocalApi = async (opts: {
  port: number;
  invoke: (event: ApiEvent) => Promise<unknown>;
  /** Origins allowed to call from a browser (API Gateway's CORS configuration); default none. */
  corsOrigins?: readonly string[];
}): Promise<LocalApi> => {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((error: unknown) => {
      // A client that hung up mid-request (the body read fails with ECONNRESET) is no error of
      // ours: there is no one to answer and nothing to log.
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') return;
      // Only a bug in this file gets here; answer like API Gateway would.
      console.error('local api server error', error);
      if (!res.headersSent) send(res, problemResponse(toProblem(error, randomUUID())));
    });
  });
  // Keep-alive sockets would hold `stop()` open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}`, stop: () => close(server) };
};

/**
 * CORS as API Gateway (HTTP API) does it: a preflight from an allowed origin is
 * answered before any route; other responses to an allowed origin carry its
 * `access-control-allow-origin`. Other origins get no CORS header at all.
 */
const corsHeaders = (req: IncomingMessage, origins: readonly string[]): Record<string, string> => {
  const origin = req.headers.origin;
  if (!origin || !origins.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': apiCors.exposeHeaders.join(','),
    vary: 'origin',
  };
};

const handle = async (
  req: IncomingMessage,
  res: ServerResponse,
  opts: { invoke: (event: ApiEvent) => Promise<unknown>; corsOrigins?: readonly string[] },
): Promise<void> => {
  const requestId = randomUUID();
  const method = (req.method ?? 'GET').toUpperCase();
  const cors = corsHeaders(req, opts.corsOrigins ?? []);
  if (
    method === 'OPTIONS' &&
    cors['access-control-allow-origin'] &&
    req.headers['access-control-request-method']
  ) {
    req.resume();
    res.writeHead(204, {
      'access-control-allow-origin': cors['access-control-allow-origin'],
      'access-control-allow-methods': apiCors.allowMethods.join(','),
      'access-control-allow-headers': apiCors.allowHeaders.join(','),
      'access-control-max-age': String(apiCors.maxAgeSeconds),
      vary: 'origin',
    });
    res.end();
    return;
  }
  for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    // API Gateway answers a request target it cannot parse with 400, before any route.
    return send(
      res,
      problemResponse(toProblem(new BadRequestError('The request target is not a valid URL.'), requestId)),
    );
  }
  const refuse = (error: Error) => send(res, problemResponse(toProblem(error, requestId, url.pathname)));

  const body = await readBody(req, gatewayMaxBodyBytes);
  if (body === 'too-large') return refuse(new PayloadTooLargeError('Request bodies are limited to 10 MB.'));

  const match = matchRoute(method, url.pathname);
  const event = toEvent({ req, url, method, body, requestId, match });
  const result = (await opts.invoke(event)) as APIGatewayProxyStructuredResultV2;
  send(res, result);
};

const textual = /^(application\/([\w.+-]+\+)?json|application\/x-www-form-urlencoded|text\/)/i;

const toEvent = (input: {
  req: IncomingMessage;
  url: URL;
  method: string;
  body: Buffer;
  requestId: string;
  match: ReturnType<typeof matchRoute>;
}): ApiEvent => {
  const { req, url, method, body, requestId, match } = input;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = textual.test(headers['content-type'] ?? '');
  const now = new Date();
  const routeKey = match?.key ?? '$default';
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(match && Object.keys(match.pathParameters).length > 0
      ? { pathParameters: match.pathParameters }
      : {}),
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: localAccount,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  } as ApiEvent;
};

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

const send = (res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void => {
  const body =
    result.body === undefined
      ? undefined
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode ?? 200, {
    ...(result.headers as Record<string, string> | undefined),
    ...(result.cookies ? { 'set-cookie': result.cookies } : {}),
  });
  res.end(body);
};

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
