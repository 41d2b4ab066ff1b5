import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Progress, Select, Space, Steps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import type { ImportRecord } from '../api/types.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { putPresigned, sha256Hex } from '../files.ts';

type Kind = 'schools' | 'inspectors' | 'zones';
const contentTypeOf = (file: File) =>
  file.name.toLowerCase().endsWith('.xlsx')
    ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    : 'text/csv';

/** Upload a registry file straight to the presigned URL, watch the import, download its row-level error report. */
export default function ImportWizard() {
  const { t } = useTranslation();
  const [kind, setKind] = useState<Kind>('schools');
  const [file, setFile] = useState<File>();
  const [uploaded, setUploaded] = useState<number>();
  const [importId, setImportId] = useState<string>();
  const [error, setError] = useState<unknown>();
  const record = useQuery({
    queryKey: ['import', importId],
    enabled: !!importId,
    queryFn: () => unwrap<ImportRecord>(api().GET('/imports/{id}', { params: { path: { id: importId! } } })),
    refetchInterval: (q) => (['completed', 'failed'].includes(q.state.data?.status ?? '') ? false : 1000),
  });
  const start = async () => {
    if (!file) return;
    setError(undefined);
    try {
      const created = await unwrap<{ id: string; upload: { url: string; headers: Record<string, string> } }>(
        api().POST('/imports', {
          body: {
            kind,
            fileName: file.name,
            contentType: contentTypeOf(file),
            size: file.size,
            sha256: await sha256Hex(file),
          },
        }),
      );
      await putPresigned(created.upload, file, setUploaded);
      setImportId(created.id);
    } catch (e) {
      setError(e);
    }
  };
  const finished = ['completed', 'failed'].includes(record.data?.status ?? '');
  return (
    <section aria-labelledby="imports-title">
      <h1 id="imports-title">{t('nav.imports')}</h1>
      <Steps
        size="small"
        current={importId ? (finished ? 2 : 1) : 0}
        items={[
          { title: t('imports.upload') },
          { title: t('imports.status') },
          { title: t('imports.counts') },
        ]}
        style={{ marginBottom: 12 }}
      />
      <ProblemAlert error={error ?? record.error} />
      <Card>
        <Space direction="vertical" style={{ width: '100%' }}>
          <span>
            {t('imports.kind')}{' '}
            <Select<Kind>
              aria-label={t('imports.kind')}
              value={kind}
              onChange={setKind}
              style={{ width: 160 }}
              options={(['schools', 'inspectors', 'zones'] as const).map((k) => ({
                value: k,
                label: t(`imports.${k}`),
              }))}
            />
          </span>
          <label>
            {t('imports.file')}{' '}
            <input type="file" accept=".csv,.xlsx,text/csv" onChange={(e) => setFile(e.target.files?.[0])} />
          </label>
          <Button type="primary" disabled={!file} onClick={() => void start()}>
            {t('imports.upload')}
          </Button>
          {uploaded !== undefined && <Progress percent={uploaded} aria-label={t('imports.upload')} />}
          {record.data && (
            <Descriptions bordered size="small" column={1}>
              <Descriptions.Item label={t('imports.status')}>
                <span aria-live="polite">{record.data.status}</span>
              </Descriptions.Item>
              {record.data.counts && (
                <Descriptions.Item label={t('imports.counts')}>
                  {JSON.stringify(record.data.counts)}
                </Descriptions.Item>
              )}
              {record.data.error && (
                <Descriptions.Item label={t('error')}>{record.data.error}</Descriptions.Item>
              )}
              {record.data.errorReportUrl && (
                <Descriptions.Item label={t('imports.errors')}>
                  <a href={record.data.errorReportUrl}>{t('imports.errors')}</a>
                </Descriptions.Item>
              )}
            </Descriptions>
          )}
        </Space>
      </Card>
    </section>
  );
}
