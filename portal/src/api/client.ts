import createClient, { type Middleware } from 'openapi-fetch';
import { currentSession } from '../auth.ts';
import { config } from '../config.ts';
import i18n from '../i18n.ts';
import type { paths } from './schema';

/** An RFC 9457 problem the API answered, shown to people with its title and detail. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly requestId?: string,
  ) {
    super(`${title}: ${detail}`);
  }
}

/** No answer at all: the network is down (the offline outbox takes over where it can). */
export class OfflineError extends Error {}

/** What every call to the API carries: the bearer token, and the portal's language (problem details, files and letters in it, not the browser's). */
export const apiHeaders = (): Record<string, string> => {
  const session = currentSession();
  return {
    'accept-language': i18n.language,
    ...(session ? { authorization: `Bearer ${session.token}` } : {}),
  };
};

const bearer: Middleware = {
  onRequest({ request }) {
    for (const [name, value] of Object.entries(apiHeaders())) request.headers.set(name, value);
    return request;
  },
};

let client: ReturnType<typeof createClient<paths>> | undefined;

/** The typed client over the API (types generated from GET /openapi.json by `npm run portal:types`). */
export const api = () => {
  if (!client) {
    client = createClient<paths>({ baseUrl: config().apiUrl });
    client.use(bearer);
  }
  return client;
};

/** The body of a success, or a ProblemError / OfflineError. */
export const unwrap = async <T>(
  pending: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<T> => {
  let result: { data?: unknown; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch (error) {
    if (error instanceof TypeError) throw new OfflineError(error.message);
    throw error;
  }
  if (result.response.ok) return result.data as T;
  const problem = (result.error ?? {}) as { title?: string; detail?: string; requestId?: string };
  throw new ProblemError(
    result.response.status,
    problem.title ?? result.response.statusText,
    problem.detail ?? '',
    problem.requestId,
  );
};
