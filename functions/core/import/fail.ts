import { logger } from '#lib/logger';
import { causeMessage } from '#lib/workflow-errors';
import { officeChain } from '../audit-chain.ts';
import { importFailureText } from '../imports.ts';
import { say } from '../text.ts';
import type { ImportStepPorts } from './ports.ts';

/** Errors whose message is written for the person who uploaded the file. */
const userFacing = new Set(['ImportFileError']);

/** Catch path of import-registry: mark the import failed with a message a user can act on. */
export const failImport =
  (ports: Pick<ImportStepPorts, 'records'>) =>
  async (input: { importId: string; execution: string; error: { Error: string; Cause?: unknown } }) => {
    const text = userFacing.has(input.error.Error)
      ? importFailureText(causeMessage(input.error.Cause))
      : say(
          `导入因内部错误（${input.error.Error}）中止。已存储的内容没有丢失：请重新上传该文件以完成导入。`,
          `The import stopped on an internal error (${input.error.Error}). Nothing stored was lost: upload the file again to complete it.`,
        );
    const message = text.en;
    logger.warn('import failed', { importId: input.importId, error: input.error });
    const record = await ports.records.get(input.importId);
    if (!record) return { importId: input.importId, error: message };
    await ports.records.finish(
      input.importId,
      input.execution,
      { status: 'failed', error: message, errorZh: text.zh },
      {
        campaignId: officeChain(record.scope),
        entityId: `import:${input.importId}`,
        regionCode: record.scope,
        action: 'fail_import',
        actor: 'system:import-registry',
        at: new Date().toISOString(),
        details: { execution: input.execution, error: message },
      },
    );
    return { importId: input.importId, error: message };
  };
