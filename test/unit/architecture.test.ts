import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

describe('architecture', () => {
  it('keeps the core free of AWS SDK and adapter imports', () => {
    for (const file of sources('functions/core')) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from '@aws-sdk\//);
      expect(text, file).not.toMatch(/from '#(adapters|handlers)\//);
    }
  });

  it('never scans a table: every read is a key lookup or an index query', () => {
    for (const file of sources('functions')) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\bScanCommand\b|\bpaginateScan\b/);
    }
  });
});
