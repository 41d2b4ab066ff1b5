import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import type { Campaign, Evidence, Page } from '../api/types.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';

interface Verification {
  intact: boolean;
  complete?: boolean;
  linked: number;
  unlinked: number;
  verified: { throughSeq: number };
  brokenAt?: { seq: number; reason: string };
}
interface ExportRecord {
  id: string;
  status: 'running' | 'ready' | 'failed';
  download?: { url: string };
  error?: string;
}

/** The auditor's archive: evidence search with audited downloads, chain verification, exports. */
export default function Audit() {
  const { t } = useTranslation();
  const [campaignId, setCampaignId] = useState<string>();
  const [schoolId, setSchoolId] = useState('');
  const [exportId, setExportId] = useState<string>();
  const campaigns = useQuery({
    queryKey: ['campaigns-all'],
    queryFn: () => unwrap<Page<Campaign>>(api().GET('/campaigns', { params: { query: { limit: 200 } } })),
  });
  const evidence = useInfiniteQuery({
    queryKey: ['audit-evidence', campaignId, schoolId],
    enabled: !!campaignId,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap<Page<Evidence>>(
        api().GET('/audit/evidence', {
          params: {
            query: {
              campaignId,
              limit: 50,
              ...(schoolId ? { schoolId } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.cursor,
  });
  const verify = useMutation({
    mutationFn: (id: string) =>
      unwrap<Verification>(api().GET('/audit/campaigns/{id}/verify', { params: { path: { id } } })),
  });
  const request = useMutation({
    mutationFn: (id: string) =>
      unwrap<ExportRecord>(api().POST('/audit/exports', { body: { campaignId: id } })).then((r) =>
        setExportId(r.id),
      ),
  });
  const exported = useQuery({
    queryKey: ['export', exportId],
    enabled: !!exportId,
    queryFn: () =>
      unwrap<ExportRecord>(api().GET('/audit/exports/{id}', { params: { path: { id: exportId! } } })),
    refetchInterval: (q) => (q.state.data?.status === 'running' || !q.state.data ? 1500 : false),
  });
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('nav.audit')}</h1>
      <ProblemAlert
        error={campaigns.error ?? verify.error ?? request.error ?? exported.error ?? evidence.error}
      />
      <Card>
        <Space wrap>
          <Select
            aria-label={t('audit.campaign')}
            placeholder={t('audit.campaign')}
            style={{ minWidth: 260 }}
            value={campaignId}
            onChange={setCampaignId}
            options={(campaigns.data?.items ?? []).map((c) => ({
              value: c.id,
              label: `${c.title} (${c.status})`,
            }))}
          />
          <Input
            aria-label={t('inspection.school')}
            placeholder={t('inspection.school')}
            value={schoolId}
            onChange={(e) => setSchoolId(e.target.value)}
          />
          <Button
            disabled={!campaignId}
            onClick={() => campaignId && verify.mutate(campaignId)}
            loading={verify.isPending}
          >
            {t('audit.verify')}
          </Button>
          <Button
            disabled={!campaignId}
            onClick={() => campaignId && request.mutate(campaignId)}
            loading={request.isPending}
          >
            {t('audit.export')}
          </Button>
        </Space>
        {verify.data && (
          <Alert
            role="status"
            style={{ marginTop: 12 }}
            type={verify.data.intact ? 'success' : 'error'}
            message={
              verify.data.intact
                ? t('audit.intact', { seq: verify.data.verified.throughSeq })
                : t('audit.broken', { seq: verify.data.brokenAt?.seq, reason: verify.data.brokenAt?.reason })
            }
          />
        )}
        {exported.data && (
          <p style={{ marginTop: 12 }}>
            {t('audit.exportStatus')}: <Tag>{exported.data.status}</Tag>
            {exported.data.download && <a href={exported.data.download.url}>{t('audit.download')}</a>}
            {exported.data.error}
          </p>
        )}
      </Card>
      <Card style={{ marginTop: 12 }}>
        <Table<Evidence>
          rowKey="id"
          size="small"
          loading={evidence.isLoading}
          dataSource={evidence.data?.pages.flatMap((p) => p.items) ?? []}
          pagination={false}
          scroll={{ x: true }}
          columns={[
            { title: 'ID', dataIndex: 'id' },
            { title: t('fileLabel'), dataIndex: 'fileName' },
            { title: t('statusLabel'), dataIndex: 'status', render: (s: string) => <Tag>{s}</Tag> },
            { title: 'SHA-256', dataIndex: 'sha256', render: (v?: string) => v?.slice(0, 16) },
          ]}
        />
        {evidence.hasNextPage && <Button onClick={() => void evidence.fetchNextPage()}>↓</Button>}
      </Card>
      <Typography.Paragraph style={{ marginTop: 12 }}>{t('audit.offline')}</Typography.Paragraph>
    </section>
  );
}
