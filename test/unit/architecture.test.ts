import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

/** Every module a file imports, as written (`import … from`, `export … from`, `import(…)`). */
const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1]!);

/** The layer an import lands in: `#adapters/x` and `../adapters/x` alike. */
const layerOf = (file: string, specifier: string): string => {
  const alias = /^#(\w+)\//.exec(specifier)?.[1];
  if (alias) return alias;
  if (!specifier.startsWith('.')) return specifier.startsWith('@aws-sdk/') ? 'aws-sdk' : 'package';
  const target = relative('functions', resolve(dirname(file), specifier));
  return target.startsWith('..') ? 'outside' : target.split('/')[0]!;
};

const violations = (dir: string, forbidden: readonly string[]) =>
  sources(dir).flatMap((file) =>
    importsOf(file)
      .filter((s) => forbidden.includes(layerOf(file, s)))
      .map((s) => `${file} imports ${s}`),
  );

/**
 * The direction of imports: handlers → core ← adapters. Handlers compose
 * adapters and call core use cases; the AWS SDK lives in adapters only.
 */
describe('architecture', () => {
  it('keeps the core free of the AWS SDK, adapters, handlers and the local cloud, by alias or by path', () => {
    expect(violations('functions/core', ['aws-sdk', 'adapters', 'handlers', 'local', 'infra'])).toEqual([]);
  });

  it('keeps the AWS SDK out of handlers: they build clients through adapters and call use cases', () => {
    expect(violations('functions/handlers', ['aws-sdk', 'local'])).toEqual([]);
  });

  it('keeps adapters from reaching into handlers or the local cloud', () => {
    expect(violations('functions/adapters', ['handlers', 'local'])).toEqual([]);
  });

  it('sees relative imports for what they are', () => {
    expect(layerOf('functions/core/launch/plan.ts', '../../adapters/x.ts')).toBe('adapters');
    expect(layerOf('functions/core/launch/plan.ts', '../campaign.ts')).toBe('core');
    expect(layerOf('functions/handlers/api.ts', '@aws-sdk/client-s3')).toBe('aws-sdk');
  });

  it('never scans a table: every read is a key lookup or an index query', () => {
    for (const file of sources('functions')) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\bScanCommand\b|\bpaginateScan\b/);
    }
  });
});

/**
 * People read a domain error's message as the problem's `detail`, in Chinese or
 * English: a message written as a bare string literal reads English to everyone.
 */
describe('problem details', () => {
  it('are written in both languages (say(zh, en)) wherever the core throws a domain error with a literal message', () => {
    const domainErrors =
      /new (BadRequest|Validation|Unauthorized|Forbidden|NotFound|MethodNotAllowed|Conflict|PayloadTooLarge|UnsupportedMediaType)Error\(\s*(['"`])/g;
    const untranslated = sources('functions').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(domainErrors)].map(
        (m) => `${file}:${readFileSync(file, 'utf8').slice(0, m.index).split('\n').length}`,
      ),
    );
    expect(untranslated).toEqual([]);
  });
});
