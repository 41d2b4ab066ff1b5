import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { roles } from '#core/actor';
import type { DevIssuer } from './dev-issuer.ts';

/**
 * The portal locally: built by Vite into portal/dist when its sources are newer
 * than the build, served with the `/config.json` it reads at start (as the
 * portal stack writes it in AWS), and the one thing only the local cloud has:
 * demo personas whose tokens the dev issuer signs (`/local/personas`,
 * `POST /local/token`). Neither is an API route; in AWS, Cognito signs in.
 */
const repoRoot = resolve(import.meta.dirname, '../..');
export const portalDir = join(repoRoot, 'portal');
export const portalDist = join(portalDir, 'dist');

/** What the portal reads from `/config.json`. */
export type PortalConfig = {
  apiUrl: string;
  auth: { mode: 'local' } | { mode: 'cognito'; domain: string; clientId: string; redirectUri: string };
};

const newestSource = (dir: string): number => {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
};

/** True when portal/dist is missing or older than any source of the portal. */
export const portalBuildNeeded = (): boolean => {
  const index = join(portalDist, 'index.html');
  if (!existsSync(index)) return true;
  return newestSource(portalDir) > statSync(index).mtimeMs;
};

/** `vite build` of the portal, in a child process (it takes seconds of CPU). */
export const buildPortal = (): Promise<void> =>
  new Promise((done, fail) => {
    const vite = join(repoRoot, 'node_modules/vite/bin/vite.js');
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', 'portal/vite.config.ts', '--logLevel', 'warn'],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`vite build exited with ${code}`))));
  });

export interface Persona {
  id: string;
  role: string;
  scope: string;
  name: string;
  /** What the persona stands for, in Chinese and English. */
  title: { zh: string; en: string };
}

/**
 * Demo personas that match the data in the local cloud: a school of the
 * province with its county, town and responsible inspector (the one its zone
 * names, read from the registry), an expert of the pool. Read through the API
 * with a province office's token, so they follow whatever was seeded.
 */
export const discoverPersonas = async (
  apiUrl: string,
  issuer: DevIssuer,
  province = '32',
): Promise<Persona[]> => {
  const token = await issuer.issue({ role: 'province_admin', scope: province, subject: 'portal-personas' });
  const get = async <T>(path: string): Promise<T | undefined> => {
    const r = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return r.ok ? ((await r.json()) as T) : undefined;
  };
  type Page<T> = { items: T[] };
  type School = { id: string; name: string; regionCode: string; townCode?: string };
  type Inspector = { id: string; name: string; kind: string; regionCode: string };
  const personas: Persona[] = [
    {
      id: 'province',
      role: 'province_admin',
      scope: province,
      name: '省教育督导室',
      title: { zh: '省督导室（江苏）', en: 'Province supervision office (Jiangsu)' },
    },
  ];
  // A county of the province, its first responsible inspector, and a primary school of that inspector's zone.
  const first = (await get<Page<School>>('/schools?limit=1&kind=primary'))?.items[0];
  const county = first?.regionCode;
  const responsible = county
    ? (await get<Page<Inspector>>(`/inspectors?region=${county}&kind=responsible&limit=1`))?.items[0]
    : undefined;
  const detail = responsible
    ? await get<Inspector & { schools?: School[]; zones?: { schoolIds: string[] }[] }>(
        `/inspectors/${responsible.id}`,
      )
    : undefined;
  const zoneSchools = detail?.schools ?? [];
  const school =
    zoneSchools.find((s) => (s as School & { kind?: string }).kind === 'primary') ?? zoneSchools[0] ?? first;
  if (county && school) {
    personas.push({
      id: 'county',
      role: 'county_admin',
      scope: county,
      name: `${county} 县级督导室`,
      title: { zh: `县督导室（${county}）`, en: `County supervision office (${county})` },
    });
    if (responsible)
      personas.push({
        id: 'inspector',
        role: 'inspector',
        scope: responsible.id,
        name: responsible.name,
        title: { zh: `责任督学 ${responsible.name}`, en: `Responsible inspector ${responsible.name}` },
      });
    personas.push({
      id: 'school',
      role: 'school',
      scope: school.id,
      name: school.name,
      title: { zh: `学校：${school.name}`, en: `School: ${school.name}` },
    });
    if ((roles as readonly string[]).includes('government') && school.townCode)
      personas.push({
        id: 'government',
        role: 'government',
        scope: school.townCode,
        name: `${school.townCode} 乡镇人民政府`,
        title: { zh: `乡镇政府（${school.townCode}）`, en: `Town government (${school.townCode})` },
      });
  }
  const expert = (await get<Page<Inspector>>('/inspectors?kind=expert&limit=1'))?.items[0];
  if (expert)
    personas.push({
      id: 'expert',
      role: 'inspector',
      scope: expert.id,
      name: expert.name,
      title: { zh: `评估专家 ${expert.name}`, en: `Expert ${expert.name}` },
    });
  personas.push({
    id: 'auditor',
    role: 'auditor',
    scope: province,
    name: '省审计员',
    title: { zh: '审计员（江苏）', en: 'Auditor (Jiangsu)' },
  });
  return personas;
};

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface PortalServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves portal/dist (index.html for every path without a file: a single-page
 * app, as CloudFront's error response does in AWS), `/config.json`, and the
 * local sign-in endpoints. The API's URL is known only once the cloud runs,
 * so `config` and `personas` are read at each request.
 */
export const startPortalServer = async (opts: {
  port: number;
  config: () => PortalConfig | undefined;
  personas: () => Promise<Persona[]>;
  issuer: DevIssuer;
}): Promise<PortalServer> => {
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    if (path === '/config.json') {
      const config = opts.config();
      return config ? json(res, 200, config) : json(res, 503, { message: 'The API is starting.' });
    }
    if (path === '/local/personas' && req.method === 'GET') return json(res, 200, await opts.personas());
    if (path === '/local/token' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let id: unknown;
      try {
        id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { persona?: unknown }).persona;
      } catch {
        return json(res, 400, { message: 'Send {"persona": "<id>"}.' });
      }
      const persona = (await opts.personas()).find((p) => p.id === id);
      if (!persona) return json(res, 404, { message: `No persona ${String(id)}.` });
      const token = await opts.issuer.issue({
        role: persona.role,
        scope: persona.scope,
        subject: `${persona.role}:${persona.scope}`,
        name: persona.name,
      });
      return json(res, 200, { token, persona });
    }
    const file = normalize(join(portalDist, path));
    const inside = file.startsWith(portalDist);
    const target =
      inside && existsSync(file) && statSync(file).isFile() ? file : join(portalDist, 'index.html');
    if (!existsSync(target)) return json(res, 503, { message: 'The portal is not built.' });
    const hashed = target.includes(`${join(portalDist, 'assets')}`);
    res.writeHead(200, {
      'content-type': contentTypes[extname(target)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(readFileSync(target));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { message: (error as Error).message });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port, '127.0.0.1', done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
};
