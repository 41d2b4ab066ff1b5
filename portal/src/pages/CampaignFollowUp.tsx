import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Empty, Form, Input, Modal, Radio, Select, Table, Tag } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import type { Campaign } from '../api/types.ts';
import { CampaignNav, ReportDownloads } from '../components/CampaignNav.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { chinaToday, formatDateTime } from '../format.ts';

const BarsChart = lazy(() => import('../components/GradeChart.tsx').then((m) => ({ default: m.BarsChart })));

type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer B } } } };
}
  ? B
  : never;
type Proposal = Json<'/campaigns/{id}/actions'>['items'][number];
type Ranking = Json<'/campaigns/{id}/ranking'>;
type ActionType = 'incentive' | 'interview' | 'notification' | 'accountability';
const actionTypes: ActionType[] = ['interview', 'notification', 'accountability', 'incentive'];

interface DecisionForm {
  type: ActionType;
  inspectionId?: string;
  date?: string;
  leaderSummoned?: string;
  leaderName?: string;
  leaderTitle?: string;
  attendees?: string;
  minutes?: string;
  visibility?: 'internal' | 'public';
  schoolIds?: string;
  text?: string;
  decisionReference?: string;
}

const lines = (v?: string) =>
  (v ?? '')
    .split(/[\r\n,，、]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The body of POST …/actions for one decision, with the fields its type requires. */
const bodyOf = (v: DecisionForm) => {
  switch (v.type) {
    case 'interview':
      return {
        type: v.type,
        date: v.date!,
        leaderSummoned: v.leaderSummoned!,
        attendees: lines(v.attendees),
        minutes: v.minutes!,
        ...(v.leaderName && v.leaderTitle ? { leader: { name: v.leaderName, title: v.leaderTitle } } : {}),
      };
    case 'notification':
      return {
        type: v.type,
        visibility: v.visibility ?? 'internal',
        schoolIds: lines(v.schoolIds),
        text: v.text!,
      };
    case 'accountability':
      return { type: v.type, decisionReference: v.decisionReference!, text: v.text ?? '' };
    default:
      return { type: v.type, text: v.text ?? '' };
  }
};

/** The fields one type of decision requires, labelled. */
const DecisionFields = ({ type }: { type: ActionType }) => {
  const { t } = useTranslation();
  const required = [{ required: true, whitespace: true }];
  if (type === 'interview')
    return (
      <>
        <Form.Item name="date" label={t('office.followUp.date')} rules={[{ required: true }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name="leaderSummoned" label={t('office.followUp.leaderSummoned')} rules={required}>
          <Input />
        </Form.Item>
        <Form.Item name="leaderName" label={t('office.followUp.leaderName')}>
          <Input />
        </Form.Item>
        <Form.Item name="leaderTitle" label={t('office.followUp.leaderTitle')}>
          <Input />
        </Form.Item>
        <Form.Item name="attendees" label={t('office.followUp.attendees')} rules={required}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="minutes" label={t('office.followUp.minutes')} rules={required}>
          <Input.TextArea rows={4} />
        </Form.Item>
      </>
    );
  if (type === 'notification')
    return (
      <>
        <Form.Item name="visibility" label={t('office.followUp.visibility')} rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: 'internal', label: t('office.followUp.internal') },
              { value: 'public', label: t('office.followUp.public') },
            ]}
          />
        </Form.Item>
        <Form.Item name="schoolIds" label={t('office.followUp.schoolIds')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="text" label={t('office.followUp.text')} rules={required}>
          <Input.TextArea rows={4} />
        </Form.Item>
      </>
    );
  if (type === 'accountability')
    return (
      <>
        <Form.Item name="decisionReference" label={t('office.followUp.decisionReference')} rules={required}>
          <Input />
        </Form.Item>
        <Form.Item name="text" label={t('office.followUp.text')}>
          <Input.TextArea rows={4} />
        </Form.Item>
      </>
    );
  return (
    <Form.Item name="text" label={t('office.followUp.text')}>
      <Input.TextArea rows={4} />
    </Form.Item>
  );
};

/** Proposals waiting for an interview, notification or accountability decision; decisions recorded; ranking. */
export default function CampaignFollowUp() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [deciding, setDeciding] = useState<{ type: ActionType; inspectionId?: string }>();
  const [form] = Form.useForm<DecisionForm>();
  const type = Form.useWatch('type', form) ?? deciding?.type;
  const campaign = useQuery({
    queryKey: ['campaign', id],
    queryFn: () => unwrap<Campaign>(api().GET('/campaigns/{id}', { params: { path: { id } } })),
  });
  const templateId = campaign.data?.templateId;
  const template = useQuery({
    queryKey: ['template', templateId],
    enabled: !!templateId,
    queryFn: () =>
      unwrap<{ target?: { unit: string } }>(
        api().GET('/templates/{id}', { params: { path: { id: templateId! } } }),
      ),
  });
  const ranks = template.data?.target?.unit === 'town' || template.data?.target?.unit === 'county';
  const actions = useQuery({
    queryKey: ['actions', id],
    queryFn: () =>
      unwrap<{ items: Proposal[] }>(api().GET('/campaigns/{id}/actions', { params: { path: { id } } })),
  });
  const ranking = useQuery({
    queryKey: ['ranking', id],
    enabled: ranks,
    queryFn: () => unwrap<Ranking>(api().GET('/campaigns/{id}/ranking', { params: { path: { id } } })),
  });
  const record = useMutation({
    mutationFn: (v: DecisionForm) => {
      const body = bodyOf(v) as never;
      const inspectionId = deciding?.inspectionId ?? v.inspectionId?.trim();
      return unwrap(
        inspectionId
          ? api().POST('/inspections/{id}/actions', { params: { path: { id: inspectionId } }, body })
          : api().POST('/campaigns/{id}/actions', { params: { path: { id } }, body }),
      );
    },
    onSuccess: () => {
      setDeciding(undefined);
      form.resetFields();
      void message.success(t('office.followUp.saved'));
      void queryClient.invalidateQueries({ queryKey: ['actions', id] });
    },
  });
  const items = actions.data?.items ?? [];
  const proposed = items.filter((p) => p.status === 'proposed');
  const recorded = items.filter((p) => p.status !== 'proposed');
  const typeTag = (v: string) => <Tag>{t(`office.followUp.types.${v}`, { defaultValue: v })}</Tag>;
  const inspectionLink = (v: string) => (v && v !== '-' ? <Link to={`/inspections/${v}`}>{v}</Link> : '—');
  const open = (d: { type: ActionType; inspectionId?: string }) => {
    record.reset();
    form.resetFields();
    form.setFieldsValue({ type: d.type, visibility: 'internal', date: chinaToday() });
    setDeciding(d);
  };
  const rankedItems = (ranking.data?.items ?? []).filter((r) => r.score !== null);

  return (
    <section aria-labelledby="follow-up-title">
      <h1 id="follow-up-title">
        {t('office.followUp.title')} · {campaign.data?.title ?? '…'}
      </h1>
      <CampaignNav id={id} />
      <ProblemAlert error={campaign.error ?? actions.error} />
      <Card
        title={t('office.followUp.proposals')}
        extra={
          <Button onClick={() => open({ type: 'notification' })}>{t('office.followUp.newAction')}</Button>
        }
      >
        <Table<Proposal>
          rowKey={(p) => `${p.type}:${p.inspectionId}:${p.rectificationId ?? p.phase ?? ''}`}
          size="small"
          loading={actions.isLoading}
          dataSource={proposed}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: true }}
          locale={{ emptyText: <Empty description={t('office.followUp.empty')} /> }}
          columns={[
            { title: t('office.followUp.type'), dataIndex: 'type', render: typeTag },
            { title: t('office.followUp.inspection'), dataIndex: 'inspectionId', render: inspectionLink },
            { title: t('campaign.region'), dataIndex: 'regionCode' },
            { title: t('office.followUp.reason'), dataIndex: 'reason' },
            {
              title: t('office.followUp.at'),
              dataIndex: 'at',
              render: (v) => formatDateTime(v, i18n.language),
            },
            {
              title: '',
              render: (_, p) => (
                <Button
                  size="small"
                  type="primary"
                  onClick={() => open({ type: p.type as ActionType, inspectionId: p.inspectionId })}
                  aria-label={`${t('office.followUp.decide')} ${t(`office.followUp.types.${p.type}`)} ${p.inspectionId}`}
                >
                  {t('office.followUp.decide')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Card title={t('office.followUp.recorded')} style={{ marginTop: 12 }}>
        <Table<Proposal>
          rowKey={(p) => p.actionId ?? `${p.type}:${p.inspectionId}:${p.at}`}
          size="small"
          dataSource={recorded}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: true }}
          locale={{ emptyText: <Empty description={t('office.followUp.emptyRecorded')} /> }}
          columns={[
            { title: t('office.followUp.type'), dataIndex: 'type', render: typeTag },
            { title: t('office.followUp.inspection'), dataIndex: 'inspectionId', render: inspectionLink },
            { title: t('campaign.region'), dataIndex: 'regionCode' },
            { title: t('office.followUp.reason'), dataIndex: 'reason' },
            {
              title: t('office.followUp.at'),
              dataIndex: 'at',
              render: (v) => formatDateTime(v, i18n.language),
            },
            {
              title: t('statusLabel'),
              render: () => <Tag>{t('office.followUp.recordedStatus')}</Tag>,
            },
          ]}
        />
      </Card>
      {ranks && (
        <Card title={t('office.followUp.ranking')} style={{ marginTop: 12 }}>
          <ProblemAlert error={ranking.error} />
          {rankedItems.length > 0 && (
            <Suspense fallback={<p>{t('loading')}</p>}>
              <BarsChart
                label={t('office.followUp.ranking')}
                labels={rankedItems.map((r) => r.name)}
                values={rankedItems.map((r) => r.score ?? 0)}
              />
            </Suspense>
          )}
          <Table
            rowKey="inspectionId"
            size="small"
            loading={ranking.isLoading}
            dataSource={ranking.data?.items ?? []}
            pagination={false}
            scroll={{ x: true }}
            locale={{ emptyText: <Empty description={t('office.followUp.rankingEmpty')} /> }}
            columns={[
              { title: t('office.followUp.rank'), dataIndex: 'rank', render: (v) => v ?? '—' },
              { title: t('office.followUp.name'), dataIndex: 'name' },
              { title: t('inspection.score'), dataIndex: 'score', render: (v) => v ?? '—' },
              {
                title: t('office.followUp.change'),
                render: (_, r) =>
                  r.change.rank === null
                    ? '—'
                    : r.change.rank > 0
                      ? `↑${r.change.rank}`
                      : r.change.rank < 0
                        ? `↓${-r.change.rank}`
                        : '0',
              },
            ]}
          />
          {(ranking.data?.incentives.length ?? 0) > 0 && (
            <p>
              {t('office.followUp.excellent')}: {ranking.data!.incentives.map((i) => i.name).join('、')}
            </p>
          )}
        </Card>
      )}
      <ReportDownloads id={id} region={campaign.data?.scope} />

      <Modal
        open={!!deciding}
        title={t('office.followUp.decideTitle', {
          type: t(`office.followUp.types.${type ?? deciding?.type ?? 'interview'}`),
        })}
        onCancel={() => setDeciding(undefined)}
        footer={null}
        forceRender
      >
        <ProblemAlert error={record.error} />
        <Form
          form={form}
          layout="vertical"
          onFinish={(v) => record.mutate({ ...v, type: v.type ?? deciding!.type })}
        >
          <Form.Item name="type" label={t('office.followUp.type')} rules={[{ required: true }]}>
            <Select
              disabled={!!deciding?.inspectionId}
              options={actionTypes.map((a) => ({ value: a, label: t(`office.followUp.types.${a}`) }))}
            />
          </Form.Item>
          {deciding?.inspectionId ? (
            <p>
              {t('office.followUp.inspection')}: {deciding.inspectionId}
            </p>
          ) : (
            <Form.Item name="inspectionId" label={t('office.followUp.inspection')}>
              <Input />
            </Form.Item>
          )}
          <DecisionFields type={(type ?? 'interview') as ActionType} />
          <Button type="primary" htmlType="submit" loading={record.isPending}>
            {t('office.followUp.save')}
          </Button>
        </Form>
      </Modal>
    </section>
  );
}
