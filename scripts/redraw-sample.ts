import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sampleMethod } from '#core/campaign';
import {
  compareSample,
  populationFileSchema,
  redrawSample,
  SampleFileError,
  sampleFileSchema,
} from '#core/sample-check';

/**
 * `npm run redraw-sample -- population.json [sample.json]`: redraws a
 * campaign's sample offline from its population file (as downloaded through
 * GET /campaigns/{id}/sample, which carries the seed and the percent), prints
 * it and, given the sample file, says whether it lists exactly that sample.
 * Exit code 0 when it matches (or no sample file was given), 1 when it does
 * not (the differences are listed), 2 when a file cannot be read.
 */
const readJsonFile = async (path: string): Promise<unknown> => {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SampleFileError(`无法读取 ${path}。 Cannot read ${path}: ${(error as Error).message}`);
  }
};

const parse = <T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  value: unknown,
  path: string,
): T => {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new SampleFileError(`${path} 不是抽样文件。 ${path} is not a population or sample file of dudao.`);
  return result.data;
};

export const main = async (args: readonly string[], out = console.log): Promise<number> => {
  const [populationPath, samplePath] = args;
  if (!populationPath) {
    out('用法 / usage: npm run redraw-sample -- population.json [sample.json]');
    return 2;
  }
  try {
    const population = parse(populationFileSchema, await readJsonFile(populationPath), populationPath);
    const redrawn = redrawSample(population);
    const method = sampleMethod(redrawn.percent);
    out(
      `总体 / population: ${population.targets.length} 个对象 targets${population.campaignId ? ` (${population.campaignId})` : ''}`,
    );
    out(`种子 / seed: ${redrawn.seed}`);
    out(`比例 / percent: ${redrawn.percent}%`);
    out(`方法: ${method.zh}`);
    out(`method: ${method.en}`);
    out(`重抽样本 / redrawn sample: ${redrawn.sample.length} 个 targets`);
    for (const t of redrawn.sample) out(`  ${t.id}\t${t.regionCode}\t${t.name}`);
    if (!samplePath) return 0;

    const sample = parse(sampleFileSchema, await readJsonFile(samplePath), samplePath);
    const result = compareSample(redrawn, sample);
    if (result.match) {
      out(`一致：${samplePath} 所列样本与重抽结果完全相同（${sample.targets.length} 个）。`);
      out(`MATCH: ${samplePath} lists exactly the redrawn sample (${sample.targets.length} targets).`);
      return 0;
    }
    out(`不一致：${samplePath} 与重抽结果不同。 MISMATCH: ${samplePath} differs from the redrawn sample.`);
    if (result.samplingDiffers)
      out(
        `  样本文件的种子或比例与总体文件不同 / the sample file names another seed or percent: ${sample.sampling?.seed} ${sample.sampling?.percent}%`,
      );
    for (const id of result.missing) out(`  缺少 / missing (redrawn, not in the file): ${id}`);
    for (const id of result.unexpected) out(`  多出 / unexpected (in the file, not redrawn): ${id}`);
    if (result.missing.length === 0 && result.unexpected.length === 0 && !result.samplingDiffers)
      out('  样本文件重复列出对象 / the sample file lists a target twice');
    return 1;
  } catch (error) {
    if (!(error instanceof SampleFileError)) throw error;
    out(error.message);
    return 2;
  }
};

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  process.exitCode = await main(process.argv.slice(2));
}
