import { z } from 'zod';
import { drawSample, type Target } from './campaign.ts';

/**
 * Redrawing a campaign's sample offline, from the archive's files as
 * downloaded through GET /campaigns/{id}/sample (see scripts/redraw-sample.ts):
 * the population file carries the seed and the percent, `drawSample` draws
 * again, and the sample file is compared id by id. Pure: files are read by the script.
 */
const target = z.object({
  id: z.string().min(1).max(64),
  regionCode: z.string().min(1).max(12),
  townCode: z.string().max(12).optional(),
  name: z.string().max(400),
});
const sampling = z.object({
  percent: z.number().positive().max(100),
  seed: z.string().min(1).max(200),
});
/** At most a province of targets (the largest has ~30,000 schools), with room to spare. */
const maxTargets = 200_000;

export const populationFileSchema = z.object({
  campaignId: z.string().max(80).optional(),
  seed: z.string().max(200).optional(),
  sampling: sampling.passthrough().nullable().optional(),
  targets: z.array(target).max(maxTargets),
});
export type PopulationFile = z.infer<typeof populationFileSchema>;

export const sampleFileSchema = z.object({
  campaignId: z.string().max(80).optional(),
  sampling: sampling.passthrough().optional(),
  targets: z.array(target).max(maxTargets),
});
export type SampleFile = z.infer<typeof sampleFileSchema>;

export class SampleFileError extends Error {}

/** The redrawn sample of a population file (its stored seed and percent). */
export const redrawSample = (
  population: PopulationFile,
): { seed: string; percent: number; sample: Target[] } => {
  if (!population.sampling)
    throw new SampleFileError(
      '总体文件未记录抽样种子与比例（该活动未抽样，或文件不完整）。 The population file records no sampling seed and percent (the campaign draws no sample, or the file is incomplete).',
    );
  const { seed, percent } = population.sampling;
  return { seed, percent, sample: drawSample(population.targets, percent, seed) };
};

export interface SampleComparison {
  match: boolean;
  /** Drawn again but not in the sample file. */
  missing: string[];
  /** In the sample file but not drawn again. */
  unexpected: string[];
  /** The sample file names another seed or percent than the population file. */
  samplingDiffers: boolean;
}

export const compareSample = (
  redrawn: { seed: string; percent: number; sample: readonly Target[] },
  file: SampleFile,
): SampleComparison => {
  const drawn = new Set(redrawn.sample.map((t) => t.id));
  const listed = new Set(file.targets.map((t) => t.id));
  const missing = [...drawn].filter((id) => !listed.has(id)).sort();
  const unexpected = [...listed].filter((id) => !drawn.has(id)).sort();
  const samplingDiffers =
    file.sampling !== undefined &&
    (file.sampling.seed !== redrawn.seed || file.sampling.percent !== redrawn.percent);
  const duplicates = listed.size !== file.targets.length;
  return {
    match: missing.length === 0 && unexpected.length === 0 && !samplingDiffers && !duplicates,
    missing,
    unexpected,
    samplingDiffers,
  };
};
