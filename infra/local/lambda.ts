import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FunctionName, functions } from '#infra/resources';
import { type LocalInvoke, localFunctionArn, localFunctionName } from './functions.ts';

/**
 * A Lambda-compatible Invoke endpoint for the local cloud, so that tests, the
 * AWS CLI and `@aws-sdk/client-lambda` invoke a function here as in AWS
 * (`AWS_ENDPOINT_URL_LAMBDA`): `POST /2015-03-31/functions/{name}/invocations`.
 *
 * - `X-Amz-Invocation-Type: RequestResponse` (default): 200 with the result;
 *   a thrown error is 200 with `X-Amz-Function-Error: Unhandled` and Lambda's
 *   `{errorType, errorMessage, trace}` as the payload.
 * - `Event`: 202 at once; the invocation goes through `invokeAsync` (retries,
 *   then the function's failure queue), like an S3 notification or a schedule.
 * - `DryRun`: 204.
 * The function is named by its local name (`dudao-sweeper`), its ARN, or its
 * declaration key (`sweeper`).
 */
export const startLocalLambda = async (opts: {
  functions: Readonly<Record<FunctionName, LocalInvoke>>;
  invokeAsync: (name: FunctionName, event: unknown) => void;
  port?: number;
}) => {
  const byName = new Map<string, FunctionName>();
  for (const name of Object.keys(functions) as FunctionName[]) {
    for (const alias of [name, localFunctionName(name), localFunctionArn(name)]) byName.set(alias, name);
  }
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
      ...headers,
    });
    res.end(payload);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec((req.url ?? '').split('?')[0] ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    if (req.method !== 'POST' || !match) {
      return send(
        res,
        404,
        { message: 'Unknown operation' },
        { 'x-amzn-errortype': 'UnknownOperationException' },
      );
    }
    const requested = decodeURIComponent(match[1]!).replace(/:\$LATEST$/, '');
    const name = byName.get(requested);
    if (!name) {
      return send(
        res,
        404,
        { Type: 'User', message: `Function not found: ${requested}` },
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
    }
    let event: unknown;
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      event = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return send(
        res,
        400,
        { Type: 'User', message: 'Could not parse request body into json' },
        { 'x-amzn-errortype': 'InvalidRequestContentException' },
      );
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type === 'DryRun') return send(res, 204, undefined);
    if (type === 'Event') {
      opts.invokeAsync(name, event);
      return send(res, 202, undefined);
    }
    try {
      return send(res, 200, (await opts.functions[name](event)) ?? null, {
        'x-amz-executed-version': '$LATEST',
      });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return send(
        res,
        200,
        { errorType: e.name, errorMessage: e.message, trace: e.stack?.split('\n') ?? [] },
        { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
      );
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
