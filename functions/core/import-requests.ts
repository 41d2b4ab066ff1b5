import { type Actor, isAdmin } from './actor.ts';
import { officeChain } from './audit-chain.ts';
import { ForbiddenError, NotFoundError, say, ValidationError } from './errors.ts';
import { type ImportCounts, type ImportKind, type ImportStatus, maxImportBytes } from './imports.ts';
import type { AuditEvent } from './inspection-service.ts';
import { scratchKeys } from './storage.ts';
import type { Language } from './text.ts';

/** The import record as the use cases see it (the adapter stores more). */
export interface ImportView {
  id: string;
  kind: ImportKind;
  status: ImportStatus;
  fileName: string;
  contentType: string;
  scope: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  uploadKey: string;
  counts?: ImportCounts;
  errorReportKey?: string;
  warnings?: string[];
  error?: string;
  errorZh?: string;
}

export interface ImportPorts {
  newId(): string;
  now(): string;
  records: {
    /** Creates the record with its audit event, atomically. */
    create(record: ImportView, audit: AuditEvent): Promise<void>;
    get(id: string): Promise<ImportView | undefined>;
  };
  /** A PUT URL for exactly this type, size and SHA-256 (S3 refuses any other body). */
  presignUpload(
    key: string,
    upload: { contentType: string; size: number; sha256Hex: string },
  ): Promise<string>;
  presignDownload(key: string, fileName: string): Promise<string>;
}

export const acceptedImportTypes = [
  'text/csv',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
] as const;

/** Where a user's upload goes: generated, never built from the file name. */
export const importUploadKey = scratchKeys.importUpload;

/** Keeps a file name for display only: no control characters or path separators. */
const sanitizeFileName = (name: string) =>
  [...name]
    .map((c) => (c < ' ' || c === '\u007f' || c === '/' || c === '\\' ? '_' : c))
    .join('')
    .slice(0, 200) || 'upload';

/**
 * Starting and reading imports. Supervision offices import into their own
 * region; the region of every row is checked against that scope later, row by row.
 */
export const createImportRequests = (ports: ImportPorts) => ({
  async create(
    actor: Actor,
    request: { kind: ImportKind; fileName: string; contentType: string; size: number; sha256: string },
  ) {
    if (!isAdmin(actor))
      throw new ForbiddenError(
        say(
          '只有省、市、县督导机构可以导入名录。',
          'Only province, city and county offices import the registry.',
        ),
      );
    if (request.size > maxImportBytes) {
      throw new ValidationError(say('文件过大。', 'The file is too large.'), [
        {
          path: 'body.size',
          message: say(
            `导入文件不得超过 ${maxImportBytes} 字节（50 MB）`,
            `imports are limited to ${maxImportBytes} bytes (50 MB)`,
          ),
        },
      ]);
    }
    const id = ports.newId();
    const now = ports.now();
    const record: ImportView = {
      id,
      kind: request.kind,
      status: 'awaiting_upload',
      fileName: sanitizeFileName(request.fileName),
      contentType: request.contentType,
      scope: actor.scope,
      createdBy: actor.subject,
      createdAt: now,
      updatedAt: now,
      uploadKey: importUploadKey(id),
    };
    await ports.records.create(record, {
      campaignId: officeChain(actor.scope),
      entityId: `import:${id}`,
      regionCode: actor.scope,
      action: 'create_import',
      actor: actor.subject,
      at: now,
      details: { kind: record.kind, fileName: record.fileName, size: request.size, sha256: request.sha256 },
    });
    const uploadUrl = await ports.presignUpload(record.uploadKey, {
      contentType: request.contentType,
      size: request.size,
      sha256Hex: request.sha256,
    });
    return {
      id,
      status: record.status,
      upload: {
        method: 'PUT' as const,
        url: uploadUrl,
        headers: {
          'content-type': request.contentType,
          'x-amz-checksum-sha256': Buffer.from(request.sha256, 'hex').toString('base64'),
        },
        expiresInSeconds: 900,
      },
    };
  },

  /** The error report in the caller's language: errors.csv is Chinese, errors.en.csv beside it English. */
  async get(actor: Actor, id: string, language: Language = 'zh') {
    const record = await ports.records.get(id);
    // Offices above the importing office see its imports; others do not.
    const visible =
      record && (isAdmin(actor) || actor.role === 'auditor') && record.scope.startsWith(actor.scope);
    if (!record || !visible) throw new NotFoundError(say(`未找到导入 ${id}。`, `Import ${id} not found.`));
    const errorReportUrl =
      record.status === 'completed' && record.errorReportKey
        ? await ports.presignDownload(
            language === 'zh'
              ? record.errorReportKey
              : record.errorReportKey.replace(/\.csv$/, `.${language}.csv`),
            `import-${id}-errors${language === 'zh' ? '' : `.${language}`}.csv`,
          )
        : undefined;
    return {
      id: record.id,
      kind: record.kind,
      status: record.status,
      fileName: record.fileName,
      scope: record.scope,
      createdBy: record.createdBy,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      counts: record.counts ?? null,
      warnings: record.warnings ?? [],
      ...(record.error ? { error: language === 'zh' ? (record.errorZh ?? record.error) : record.error } : {}),
      ...(errorReportUrl ? { errorReportUrl } : {}),
    };
  },
});
