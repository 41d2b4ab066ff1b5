import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Empty, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import type { Campaign, InspectionRow, Page } from '../api/types.ts';
import { CampaignNav } from '../components/CampaignNav.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { formatDateTime } from '../format.ts';

type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer B } } } };
}
  ? B
  : never;
type Inspector = Json<'/inspectors'>['items'][number];
type Draws = Json<'/campaigns/{id}/panels'>;
type Row = InspectionRow & { members: string[]; lead: string | null };
type Drawn = { drawn: number; unfilled: unknown[]; applied: number; cursor?: string };
interface TemplateTeam {
  id: string;
  team?: { mode: string };
  target?: { unit: string };
}

const reasons = ['declined', 'sick', 'conflict', 'unavailable', 'other'] as const;

/** Reads a file as base64 (no data: prefix), for the bulk teams upload. */
const base64Of = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

/** The campaign's inspections with their teams: assign one, upload many, draw and mend expert panels. */
export default function CampaignTeams() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [regionInput, setRegionInput] = useState('');
  const [region, setRegion] = useState<string>();
  const [editing, setEditing] = useState<Row>();
  const [replacing, setReplacing] = useState<Row>();
  const [file, setFile] = useState<File>();
  const campaign = useQuery({
    queryKey: ['campaign', id],
    queryFn: () => unwrap<Campaign>(api().GET('/campaigns/{id}', { params: { path: { id } } })),
  });
  const templateId = campaign.data?.templateId;
  const template = useQuery({
    queryKey: ['template', templateId],
    enabled: !!templateId,
    queryFn: () =>
      unwrap<TemplateTeam>(api().GET('/templates/{id}', { params: { path: { id: templateId! } } })),
  });
  const panelMode = template.data?.team?.mode === 'panel';
  const rows = useInfiniteQuery({
    queryKey: ['campaign-inspections', id, region ?? '', 'teams'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap<Page<Row>>(
        api().GET('/campaigns/{id}/inspections', {
          params: {
            path: { id },
            query: {
              limit: 50,
              ...(region ? { region } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            } as never,
          },
        }),
      ),
    getNextPageParam: (last) => last.cursor,
  });
  const scope = campaign.data?.scope;
  const inspectors = useQuery({
    queryKey: ['inspectors', scope],
    enabled: !!scope,
    queryFn: async () => {
      const all: Inspector[] = [];
      let cursor: string | undefined;
      do {
        const page = await unwrap<Page<Inspector>>(
          api().GET('/inspectors', {
            params: { query: { region: scope, limit: 200, ...(cursor ? { cursor } : {}) } as never },
          }),
        );
        all.push(...page.items);
        cursor = page.cursor;
      } while (cursor && all.length < 2000);
      return all;
    },
  });
  const draws = useQuery({
    queryKey: ['panels', id],
    enabled: panelMode,
    queryFn: () => unwrap<Draws>(api().GET('/campaigns/{id}/panels', { params: { path: { id } } })),
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['campaign-inspections', id] });
    void queryClient.invalidateQueries({ queryKey: ['panels', id] });
  };
  const nameOf = (inspectorId: string | null) =>
    inspectorId ? (inspectors.data?.find((i) => i.id === inspectorId)?.name ?? inspectorId) : '';
  const options = (inspectors.data ?? []).map((i) => ({
    value: i.id,
    label: `${i.name} (${i.id})${i.available ? '' : ' ⏸'}`,
  }));

  const assign = useMutation({
    mutationFn: (v: { lead: string; members?: string[]; reason?: string }) =>
      unwrap(
        api().PUT('/inspections/{id}/team', {
          params: { path: { id: editing!.id } },
          body: {
            version: editing!.version,
            lead: v.lead,
            members: (v.members ?? []).filter((m) => m !== v.lead).map((inspectorId) => ({ inspectorId })),
            ...(v.reason ? { reason: v.reason } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setEditing(undefined);
      void message.success(t('office.teams.saved'));
      refresh();
    },
  });
  const bulk = useMutation({
    mutationFn: async (f: File) =>
      unwrap<{ applied: number; unchanged: number }>(
        api().POST('/campaigns/{id}/teams', {
          params: { path: { id } },
          body: { file: { name: f.name, contentBase64: await base64Of(f) } },
        }),
      ),
    onSuccess: refresh,
  });
  const draw = useMutation({
    mutationFn: async () => {
      let total = { drawn: 0, unfilled: 0 };
      let cursor: string | undefined;
      do {
        const r = await unwrap<Drawn>(
          api().POST('/campaigns/{id}/panels', {
            params: { path: { id } },
            body: { ...(region ? { region } : {}), ...(cursor ? { cursor } : {}) },
          }),
        );
        total = { drawn: total.drawn + r.drawn, unfilled: total.unfilled + r.unfilled.length };
        cursor = r.cursor;
      } while (cursor);
      return total;
    },
    onSuccess: refresh,
  });
  const replace = useMutation({
    mutationFn: (v: { memberId: string; code: (typeof reasons)[number]; note?: string }) =>
      unwrap<{ replacement: { out: string; in: string } }>(
        api().POST('/inspections/{id}/team/replacements', {
          params: { path: { id: replacing!.id } },
          body: {
            version: replacing!.version,
            memberId: v.memberId,
            reason: { code: v.code, ...(v.note ? { note: v.note } : {}) },
          },
        }),
      ),
    onSuccess: (r) => {
      setReplacing(undefined);
      void message.success(
        t('office.teams.replaced', { out: nameOf(r.replacement.out), in: nameOf(r.replacement.in) }),
      );
      refresh();
    },
  });
  const items = rows.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section aria-labelledby="teams-title">
      <h1 id="teams-title">
        {t('office.teams.title')} · {campaign.data?.title ?? '…'}
      </h1>
      <CampaignNav id={id} />
      <ProblemAlert error={campaign.error ?? template.error ?? rows.error ?? inspectors.error} />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form
          layout="inline"
          onFinish={() => setRegion(regionInput.trim() || undefined)}
          style={{ rowGap: 8 }}
        >
          <Form.Item label={t('office.teams.region')} htmlFor="teams-region">
            <Input
              id="teams-region"
              inputMode="numeric"
              value={regionInput}
              onChange={(e) => setRegionInput(e.target.value)}
              placeholder={scope}
              style={{ width: 160 }}
            />
          </Form.Item>
          <Button htmlType="submit">{t('office.teams.apply')}</Button>
          <Button
            onClick={() => {
              setRegionInput('');
              setRegion(undefined);
            }}
          >
            {t('common.reset')}
          </Button>
        </Form>
      </Card>
      <Card
        title={t('office.tabs.teams')}
        extra={
          <Typography.Text>
            {items.length ? `${items.length}${rows.hasNextPage ? '+' : ''}` : ''}
          </Typography.Text>
        }
      >
        <Table
          rowKey="id"
          size="small"
          loading={rows.isLoading}
          dataSource={items}
          pagination={false}
          scroll={{ x: true }}
          locale={{ emptyText: <Empty description={t('office.teams.empty')} /> }}
          columns={[
            { title: t('inspection.school'), dataIndex: 'targetName' },
            { title: t('campaign.region'), dataIndex: 'regionCode' },
            {
              title: t('statusLabel'),
              dataIndex: 'status',
              render: (s: string) => <Tag>{t(`status.${s}`)}</Tag>,
            },
            {
              title: t('office.teams.lead'),
              dataIndex: 'lead',
              render: (v: string | null) => (v ? nameOf(v) : <em>{t('office.teams.none')}</em>),
            },
            {
              title: t('office.teams.members'),
              render: (_, r) =>
                r.members
                  .filter((m) => m !== r.lead)
                  .map(nameOf)
                  .join('、') || '—',
            },
            {
              title: t('inspection.due'),
              dataIndex: 'dueAt',
              render: (v) => formatDateTime(v, i18n.language),
            },
            {
              title: '',
              render: (_, r) => (
                <Space>
                  <Button
                    size="small"
                    onClick={() => setEditing(r)}
                    aria-label={`${t('office.teams.assign')} ${r.targetName}`}
                  >
                    {t('office.teams.assign')}
                  </Button>
                  {panelMode && r.members.length > 0 && (
                    <Button
                      size="small"
                      onClick={() => setReplacing(r)}
                      aria-label={`${t('office.teams.replace')} ${r.targetName}`}
                    >
                      {t('office.teams.replace')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
        {rows.hasNextPage && (
          <Button
            onClick={() => void rows.fetchNextPage()}
            loading={rows.isFetchingNextPage}
            style={{ marginTop: 8 }}
          >
            {t('common.loadMore')}
          </Button>
        )}
      </Card>

      <Card title={t('office.teams.bulk')} size="small" style={{ marginTop: 12 }}>
        <ProblemAlert error={bulk.error} />
        <p>{t('office.teams.bulkHint')}</p>
        <Space wrap>
          <label>
            {t('office.teams.bulkFile')}{' '}
            <input
              type="file"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(e) => setFile(e.target.files?.[0])}
            />
          </label>
          <Button
            type="primary"
            disabled={!file}
            loading={bulk.isPending}
            onClick={() => file && bulk.mutate(file)}
          >
            {t('office.teams.bulk')}
          </Button>
        </Space>
        <p aria-live="polite">
          {bulk.isPending
            ? t('office.teams.uploading')
            : bulk.data
              ? t('office.teams.bulkDone', bulk.data)
              : ''}
        </p>
      </Card>

      {panelMode && (
        <Card
          title={t('office.teams.panels')}
          size="small"
          style={{ marginTop: 12 }}
          extra={
            <Button type="primary" onClick={() => draw.mutate()} loading={draw.isPending}>
              {t('office.teams.drawPanels')}
            </Button>
          }
        >
          <ProblemAlert error={draw.error ?? draws.error} />
          <p aria-live="polite">
            {draw.data ? t('office.teams.drawn', draw.data) : draw.isPending ? t('loading') : ''}
          </p>
          <Table
            rowKey="id"
            size="small"
            loading={draws.isLoading}
            dataSource={draws.data?.items ?? []}
            pagination={false}
            scroll={{ x: true }}
            locale={{ emptyText: <Empty description={t('office.teams.noDraws')} /> }}
            columns={[
              {
                title: t('office.teams.drawAt'),
                dataIndex: 'at',
                render: (v) => formatDateTime(v, i18n.language),
              },
              { title: t('campaign.region'), dataIndex: 'region' },
              { title: t('office.teams.drawnCount'), dataIndex: 'drawn' },
              { title: t('office.teams.seed'), dataIndex: 'seed', render: (v: string) => <code>{v}</code> },
              {
                title: '',
                render: (_, r) => (
                  <a href={r.record.url} target="_blank" rel="noreferrer">
                    {t('common.download')}
                  </a>
                ),
              },
            ]}
          />
        </Card>
      )}

      <Modal
        open={!!editing}
        title={editing ? t('office.teams.assignTitle', { name: editing.targetName }) : ''}
        onCancel={() => setEditing(undefined)}
        footer={null}
        destroyOnHidden
      >
        <ProblemAlert error={assign.error} />
        {editing && (
          <Form
            layout="vertical"
            initialValues={{
              lead: editing.lead ?? undefined,
              members: editing.members.filter((m) => m !== editing.lead),
            }}
            onFinish={(v) => assign.mutate(v)}
          >
            <Form.Item name="lead" label={t('office.teams.lead')} rules={[{ required: true }]}>
              <Select showSearch optionFilterProp="label" options={options} loading={inspectors.isLoading} />
            </Form.Item>
            <Form.Item name="members" label={t('office.teams.members')}>
              <Select mode="multiple" showSearch optionFilterProp="label" options={options} />
            </Form.Item>
            <Form.Item name="reason" label={t('office.teams.reason')} rules={[{ max: 200 }]}>
              <Input />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={assign.isPending}>
              {t('office.teams.save')}
            </Button>
          </Form>
        )}
      </Modal>

      <Modal
        open={!!replacing}
        title={replacing ? t('office.teams.replaceTitle', { name: replacing.targetName }) : ''}
        onCancel={() => setReplacing(undefined)}
        footer={null}
        destroyOnHidden
      >
        <ProblemAlert error={replace.error} />
        {replacing && (
          <Form layout="vertical" initialValues={{ code: 'declined' }} onFinish={(v) => replace.mutate(v)}>
            <Form.Item name="memberId" label={t('office.teams.member')} rules={[{ required: true }]}>
              <Select options={replacing.members.map((m) => ({ value: m, label: `${nameOf(m)} (${m})` }))} />
            </Form.Item>
            <Form.Item name="code" label={t('office.teams.replaceReason')} rules={[{ required: true }]}>
              <Select options={reasons.map((r) => ({ value: r, label: t(`office.teams.reasons.${r}`) }))} />
            </Form.Item>
            <Form.Item name="note" label={t('office.teams.note')} rules={[{ max: 200 }]}>
              <Input />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={replace.isPending}>
              {t('office.teams.replace')}
            </Button>
          </Form>
        )}
      </Modal>
    </section>
  );
}
