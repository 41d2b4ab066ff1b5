import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { checkBundle, type FileVerdict, manifestName, manifestSchema } from '#core/export-bundle';

/**
 * `npm run verify-export -- bundle.zip`: checks every file of an evidence
 * export against its manifest, offline, and names each one that differs, is
 * missing or is not listed. Exit code 0 when all match, 1 when not, 2 when the
 * bundle cannot be read.
 */
const openZip = (path: string) =>
  new Promise<ZipFile>((ok, fail) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) =>
      error ? fail(error) : ok(zip),
    ),
  );

/** Every file entry of the ZIP: its SHA-256, and the manifest's text. */
const readEntries = async (path: string) => {
  const zip = await openZip(path);
  const hashes = new Map<string, string>();
  let manifest: string | undefined;
  await new Promise<void>((done, fail) => {
    zip.on('error', fail);
    zip.on('end', done);
    zip.on('entry', (entry: Entry) => {
      if (entry.fileName.endsWith('/')) return zip.readEntry();
      zip.openReadStream(entry, (error, stream) => {
        if (error) return fail(error);
        const hash = createHash('sha256');
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          if (entry.fileName === manifestName) chunks.push(chunk);
        });
        stream.on('error', fail);
        stream.on('end', () => {
          hashes.set(entry.fileName, hash.digest('hex'));
          if (entry.fileName === manifestName) manifest = Buffer.concat(chunks).toString('utf8');
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return { hashes, manifest };
};

export const verifyBundle = async (path: string): Promise<FileVerdict[]> => {
  const { hashes, manifest } = await readEntries(path);
  if (manifest === undefined) throw new Error(`${path} has no ${manifestName}: not a dudao evidence export.`);
  return checkBundle(manifestSchema.parse(JSON.parse(manifest)), hashes);
};

const main = async (args: string[]) => {
  if (args.length !== 1) {
    console.error('usage: npm run verify-export -- <bundle.zip>');
    return 2;
  }
  // npm runs scripts from the package root; the path is the caller's.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), args[0]!);
  let verdicts: FileVerdict[];
  try {
    verdicts = await verifyBundle(path);
  } catch (error) {
    console.error(`cannot verify ${path}: ${(error as Error).message}`);
    return 2;
  }
  const bad = verdicts.filter((v) => v.status !== 'ok');
  for (const v of bad) {
    const why =
      v.status === 'differs'
        ? `differs (manifest ${v.expected.slice(0, 12)}…, file ${v.actual.slice(0, 12)}…)`
        : v.status === 'missing'
          ? 'is listed in the manifest but missing'
          : 'is in the bundle but not in the manifest';
    console.log(`✗ ${v.path} ${why}`);
  }
  const ok = verdicts.length - bad.length;
  console.log(
    bad.length === 0
      ? `✓ all ${ok} files match the manifest`
      : `${bad.length} of ${verdicts.length} files do not match the manifest (${ok} match)`,
  );
  return bad.length === 0 ? 0 : 1;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.exitCode = await main(process.argv.slice(2));
