import { type Actor, isAdmin } from './actor.ts';
import { type Campaign, overlapsScope, sampleMethod } from './campaign.ts';
import { ConflictError, ForbiddenError, NotFoundError, say } from './errors.ts';
import type { AuditEvent } from './inspection-service.ts';
import { archiveKeys } from './storage.ts';

/**
 * What an auditor downloads of a campaign from the archive (evidence bucket):
 * the population and the drawn sample of its launch (to redraw the sample
 * offline: `npm run redraw-sample -- population.json sample.json`), and once
 * it is closed its sealed statistics and evidence manifest. Every link handed
 * out is an audit event of the campaign (who, which file, which request), as
 * evidence downloads and panel draw records are.
 */
export interface CampaignFilePorts {
  campaign(id: string): Promise<Campaign | undefined>;
  /** The archive's JSON files (to count a population launched before counts were kept). */
  readJson<T>(key: string): Promise<T>;
  presignDownload(key: string, fileName: string): Promise<string>;
  logAccess(event: AuditEvent): Promise<void>;
  now(): string;
}

/** How long a download link lives. */
export const downloadLinkSeconds = 300;

export const createCampaignFiles = (ports: CampaignFilePorts) => {
  /** Offices and auditors over, under or at the campaign's region; others 403, another region 404. */
  const readable = async (actor: Actor, id: string): Promise<Campaign> => {
    if (!isAdmin(actor) && actor.role !== 'auditor')
      throw new ForbiddenError(
        say(
          '活动档案仅供督导机构和审计人员查阅。',
          "A campaign's archive is for supervision offices and auditors.",
        ),
      );
    const campaign = await ports.campaign(id);
    if (!campaign || !overlapsScope(actor, campaign))
      throw new NotFoundError(say(`未找到活动 ${id}。`, `Campaign ${id} not found.`));
    return campaign;
  };

  /** A presigned link to one archive file, created only after its audit event is written. */
  const link = async (
    actor: Actor,
    campaign: Campaign,
    requestId: string,
    file: { what: string; key: string; fileName: string },
  ) => {
    await ports.logAccess({
      campaignId: campaign.id,
      entityId: campaign.id,
      regionCode: campaign.scope,
      action: `download_${file.what}`,
      actor: actor.subject,
      at: ports.now(),
      details: { key: file.key, requestId, role: actor.role },
    });
    return {
      key: file.key,
      url: await ports.presignDownload(file.key, file.fileName),
      expiresInSeconds: downloadLinkSeconds,
    };
  };

  return {
    /**
     * GET /campaigns/{id}/sample: the seed, the method in words, the sizes and
     * audited links to the population and sample files. 409 before a launch
     * has planned the targets; 404 for a campaign that draws no sample.
     */
    async sample(actor: Actor, id: string, requestId: string) {
      const campaign = await readable(actor, id);
      const launch = campaign.launch;
      if (!launch || launch.targets === undefined || campaign.status === 'draft')
        throw new ConflictError(
          say(
            `活动 ${id} 的状态为 ${campaign.status}：样本在活动启动时抽取。`,
            `Campaign ${id} is ${campaign.status}: its sample is drawn when it is launched.`,
          ),
        );
      // Launches record their percent and population; older ones are read from their files.
      const recorded = launch.population !== undefined;
      const percent = recorded ? launch.samplingPercent : await percentOfSampleFile(ports, id);
      if (percent === undefined)
        throw new NotFoundError(
          say(
            `活动 ${id} 不抽样：所有对象均接受督导。`,
            `Campaign ${id} draws no sample: every target is inspected.`,
          ),
        );
      const population =
        launch.population ??
        (await ports.readJson<{ targets: unknown[] }>(archiveKeys.population(id))).targets.length;
      const method = sampleMethod(percent);
      return {
        campaignId: id,
        seed: campaign.samplingSeed,
        percent,
        method: { stratifyBy: method.stratifyBy, zh: method.zh, en: method.en, rank: method.rank },
        populationSize: population,
        sampleSize: launch.targets,
        population: await link(actor, campaign, requestId, {
          what: 'population',
          key: archiveKeys.population(id),
          fileName: `population-${id}.json`,
        }),
        sample: await link(actor, campaign, requestId, {
          what: 'sample',
          key: archiveKeys.sample(id),
          fileName: `sample-${id}.json`,
        }),
        redraw: `npm run redraw-sample -- population-${id}.json sample-${id}.json`,
      };
    },

    /**
     * GET /campaigns/{id}/sealed: audited links to the sealed statistics, the
     * evidence manifest and its SHA-256 file, once the campaign is closed (409 before).
     */
    async sealed(actor: Actor, id: string, requestId: string) {
      const campaign = await readable(actor, id);
      const close = campaign.close;
      if (campaign.status !== 'closed' || !close?.statisticsKey || !close.manifest)
        throw new ConflictError(
          say(
            `活动 ${id} 的状态为 ${campaign.status}：尚无封存记录。`,
            `Campaign ${id} is ${campaign.status}: it has no sealed record yet.`,
          ),
        );
      return {
        campaignId: id,
        closedAt: close.finishedAt ?? null,
        chain: close.chain ?? null,
        statistics: await link(actor, campaign, requestId, {
          what: 'sealed_statistics',
          key: close.statisticsKey,
          fileName: `statistics-${id}.json`,
        }),
        manifest: {
          sha256: close.manifest.sha256,
          files: close.manifest.files,
          bytes: close.manifest.bytes,
          ...(await link(actor, campaign, requestId, {
            what: 'evidence_manifest',
            key: close.manifest.key,
            fileName: `evidence-manifest-${id}.jsonl`,
          })),
          sha256File: await link(actor, campaign, requestId, {
            what: 'evidence_manifest_sha256',
            key: close.manifest.sha256Key,
            fileName: `evidence-manifest-${id}.jsonl.sha256`,
          }),
        },
      };
    },
  };
};
export type CampaignFiles = ReturnType<typeof createCampaignFiles>;

/** The percent of a sample file, if the launch wrote one. */
const percentOfSampleFile = async (ports: CampaignFilePorts, id: string) =>
  (await ports.readJson<{ sampling?: { percent?: number } }>(archiveKeys.sample(id)).catch(() => undefined))
    ?.sampling?.percent;
