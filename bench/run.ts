/**
 * `npm run bench -- <name> [options]`. Each benchmark prints its timings and
 * the ratio against a limit measured in the same run on the same machine.
 */
const benchmarks: Record<string, () => Promise<{ run: (args: string[]) => Promise<void> }>> = {
  import: () => import('./import.ts'),
  launch: () => import('./launch.ts'),
  evidence: () => import('./evidence.ts'),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? benchmarks[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(benchmarks).join('|')}> [options]`);
  process.exit(2);
}
try {
  await (await load()).run(args);
  process.exit(0);
} catch (error) {
  // Bad options and failed runs end with one line, not a stack trace.
  console.error(`bench ${name}: ${(error as Error).message}`);
  process.exit(1);
}
