import { z } from 'zod';

/**
 * What any one request may carry. Each bound keeps the item it is stored in
 * under DynamoDB's 400 KB with room to spare (Chinese text is 3 bytes a
 * character in UTF-8), and each transaction under 100 items; the OpenAPI
 * document shows every one of them (maxLength, maxItems, the body's size).
 */
export const limits = {
  /** A name, a title, a reference number. */
  shortText: 200,
  /** A self-assessment statement, a finding's comment, a plan, a review. */
  statement: 2_000,
  /** One problem's description. */
  problem: 500,
  /** Meeting minutes, a notification's text. */
  longText: 10_000,
  /** Indicators of a template (each submission names each at most once). */
  indicators: 100,
  /** Problems under one indicator, and in one report (each becomes a rectification). */
  problemsPerIndicator: 20,
  problemsPerReport: 200,
  /** Evidence files named by one indicator's entry or one rectification. */
  evidencePerEntry: 20,
  /** A whole submission (self-assessment, findings) as JSON, and a whole template. */
  submissionBytes: 256 * 1024,
  templateBytes: 128 * 1024,
  /** Schools, inspections and regions one follow-up action may name. */
  actionTargets: 200,
  /** Members of one inspection team, the lead included. */
  teamMembers: 20,
  /** Times one submission may be returned for correction before it must be reviewed instead. */
  returns: 10,
  /** Inspections read for a school's named rectifications (GET /schools/{id}/rectifications). */
  namedInspections: 100,
  /** Teams one bulk request sets (a larger campaign: several requests, or a rule with its cursor). */
  assignmentsPerRequest: 500,
  /** Campaigns one re-evaluation is based on (a city's counties' evaluations). */
  basedOnCampaigns: 50,
} as const;

const utf8Bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

/** Refuses a value whose JSON is larger than `bytes`, naming the limit. */
export const withinBytes =
  (bytes: number, what: string) =>
  (value: unknown, ctx: z.RefinementCtx): void => {
    const size = utf8Bytes(value);
    if (size > bytes) {
      ctx.addIssue({
        code: 'custom',
        params: { zh: `${what} 的 JSON 为 ${Math.ceil(size / 1024)} KB；最多 ${bytes / 1024} KB` },
        message: `${what} is ${Math.ceil(size / 1024)} KB as JSON; at most ${bytes / 1024} KB`,
      });
    }
  };

/** Refuses a list in which two entries share `key`, naming the second. */
export const uniqueBy =
  <T>(key: (item: T) => string, what: string) =>
  (items: readonly T[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          params: { zh: `${what} ${k} 重复出现` },
          message: `${what} ${k} is named twice`,
        });
      seen.add(k);
    });
  };

/** A GB/T 2260 region code of 2, 4 or 6 digits (province, city, county), or 9 with `towns`. */
export const regionCodeSchema = (opts: { towns?: boolean } = {}) =>
  z
    .string()
    .max(9)
    .regex(
      opts.towns ? /^\d{2}(\d{2}){0,2}(\d{3})?$/ : /^\d{2}(\d{2}){0,2}$/,
      opts.towns ? 'a region code of 2, 4, 6 or 9 digits' : 'a region code of 2, 4 or 6 digits',
    );

/** A ULID (what dudao's ids are made of), e.g. an evidence id. */
export const ulidSchema = z
  .string()
  .length(26)
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'an id of 26 letters and digits');

/**
 * A day or an instant of the years 2000–2099: a real calendar date
 * (`2026-02-30` is refused) or an ISO timestamp.
 */
export const instantSchema = z
  .string()
  .max(30)
  .refine(
    (v) => z.iso.date().safeParse(v).success || z.iso.datetime({ offset: true }).safeParse(v).success,
    'a real date (2026-11-24) or an ISO timestamp',
  )
  .refine((v) => v >= '2000' && v < '2100', 'a date of the years 2000 to 2099');

/** Checks `from ≤ to` on a query or body with both. */
export const fromNotAfterTo = <T extends { from?: string | undefined; to?: string | undefined }>(
  value: T,
  ctx: z.RefinementCtx,
): void => {
  if (value.from !== undefined && value.to !== undefined && value.from.slice(0, value.to.length) > value.to) {
    ctx.addIssue({
      code: 'custom',
      path: ['from'],
      params: { zh: '不得晚于 `to`' },
      message: 'must not be after `to`',
    });
  }
};
