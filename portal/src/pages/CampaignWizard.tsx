import { useMutation, useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Input,
  InputNumber,
  Progress,
  Result,
  Select,
  Spin,
  Steps,
  Table,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import type { Campaign, LaunchStatus, Page, Template } from '../api/types.ts';
import { currentSession } from '../auth.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { chinaToday, localized } from '../format.ts';

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

type Preview = paths['/campaigns/{id}/preview']['get']['responses'][200]['content']['application/json'];

/** Template → scope and window → draft (with its launch preview: targets, sample) → launch, with live progress. */
export default function CampaignWizard() {
  const { t, i18n } = useTranslation();
  const session = currentSession();
  const templates = useQuery({
    queryKey: ['templates'],
    queryFn: () => unwrap<Page<Template>>(api().GET('/templates')),
  });
  const [campaign, setCampaign] = useState<Campaign>();
  const [launching, setLaunching] = useState(false);
  const create = useMutation({
    mutationFn: (v: {
      templateId: string;
      title: string;
      scope: string;
      start: string;
      end: string;
      samplingPercent?: number | null;
    }) =>
      unwrap<Campaign>(
        api().POST('/campaigns', {
          body: {
            templateId: v.templateId,
            title: v.title,
            scope: v.scope,
            window: { start: v.start, end: v.end },
            ...(v.samplingPercent ? { overrides: { samplingPercent: v.samplingPercent } } : {}),
          },
        }),
      ),
    onSuccess: setCampaign,
  });
  const preview = useQuery({
    queryKey: ['preview', campaign?.id],
    enabled: !!campaign && !launching,
    queryFn: () =>
      unwrap<Preview>(api().GET('/campaigns/{id}/preview', { params: { path: { id: campaign!.id } } })),
  });
  const launch = useMutation({
    mutationFn: (id: string) =>
      unwrap(api().POST('/campaigns/{id}/launch', { params: { path: { id } } })).then(() =>
        setLaunching(true),
      ),
  });
  const status = useQuery({
    queryKey: ['launch', campaign?.id],
    enabled: launching && !!campaign,
    queryFn: () =>
      unwrap<LaunchStatus>(api().GET('/campaigns/{id}/launch', { params: { path: { id: campaign!.id } } })),
    refetchInterval: (q) =>
      q.state.data && q.state.data.executionStatus !== 'RUNNING' && q.state.data.executionStatus !== 'PENDING'
        ? false
        : 1000,
  });
  const done = status.data && !['RUNNING', 'PENDING'].includes(status.data.executionStatus);
  const step = !campaign ? 0 : !launching ? 1 : done ? 3 : 2;
  const percent = status.data?.targets
    ? Math.round((status.data.created / status.data.targets) * 100)
    : done
      ? 100
      : 0;
  const today = chinaToday();
  return (
    <section aria-labelledby="wizard-title">
      <h1 id="wizard-title">{t('nav.newCampaign')}</h1>
      <Steps
        size="small"
        current={step}
        items={[
          { title: t('campaign.template') },
          { title: t('campaign.create') },
          { title: t('campaign.progress') },
          { title: t('campaign.launched') },
        ]}
        style={{ marginBottom: 16 }}
      />
      <ProblemAlert
        error={templates.error ?? create.error ?? preview.error ?? launch.error ?? status.error}
      />
      {!campaign && (
        <Card>
          <Form
            layout="vertical"
            initialValues={{
              scope: session?.scope,
              start: today,
              end: addDays(today, 90),
              templateId: 'start-of-term',
            }}
            onFinish={(v) => create.mutate(v)}
          >
            <Form.Item name="templateId" label={t('campaign.template')} rules={[{ required: true }]}>
              <Select
                showSearch
                optionFilterProp="label"
                loading={templates.isLoading}
                options={(templates.data?.items ?? []).map((tpl) => ({
                  value: tpl.id,
                  label: localized(tpl.title, i18n.language),
                }))}
              />
            </Form.Item>
            <Form.Item name="title" label={t('campaign.title')} rules={[{ required: true, max: 200 }]}>
              <Input />
            </Form.Item>
            <Form.Item
              name="scope"
              label={t('campaign.scope')}
              rules={[{ required: true, pattern: /^\d{2}(\d{2}){0,2}$/ }]}
            >
              <Input inputMode="numeric" />
            </Form.Item>
            <Form.Item label={t('campaign.window')} required>
              <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
                <Form.Item name="start" noStyle rules={[{ required: true }]}>
                  <Input type="date" aria-label={`${t('campaign.window')} start`} style={{ width: 180 }} />
                </Form.Item>
                <Form.Item name="end" noStyle rules={[{ required: true }]}>
                  <Input type="date" aria-label={`${t('campaign.window')} end`} style={{ width: 180 }} />
                </Form.Item>
              </div>
            </Form.Item>
            <Form.Item name="samplingPercent" label={t('office.preview.samplingPercent')}>
              <InputNumber min={1} max={100} style={{ width: 180 }} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={create.isPending}>
              {t('campaign.create')}
            </Button>
          </Form>
        </Card>
      )}
      {campaign && !launching && (
        <Card title={campaign.title}>
          <p>
            {campaign.scope} · {campaign.window.start} – {campaign.window.end}
          </p>
          <section aria-labelledby="preview-title" style={{ marginBottom: 16 }}>
            <h2 id="preview-title" style={{ fontSize: 16 }}>
              {t('office.preview.title')}
            </h2>
            {preview.isLoading && (
              <p aria-live="polite">
                <Spin size="small" /> {t('office.preview.loading')}
              </p>
            )}
            {preview.data && (
              <div data-testid="launch-preview">
                <Descriptions
                  size="small"
                  bordered
                  column={1}
                  items={[
                    {
                      key: 'population',
                      label: t('office.preview.population'),
                      children: preview.data.population,
                    },
                    { key: 'targets', label: t('office.preview.targets'), children: preview.data.targets },
                    {
                      key: 'sampling',
                      label: t('office.preview.title'),
                      children: preview.data.sampling
                        ? t('office.preview.sampled', {
                            percent: preview.data.sampling.percent,
                            targets: preview.data.targets,
                            population: preview.data.population,
                          })
                        : t('office.preview.notSampled'),
                    },
                    ...(preview.data.sampling
                      ? [
                          {
                            key: 'seed',
                            label: t('office.preview.seed'),
                            children: <code>{preview.data.sampling.seed}</code>,
                          },
                        ]
                      : []),
                  ]}
                />
                {preview.data.population === 0 ? (
                  <Empty description={t('office.preview.empty')} />
                ) : (
                  <Table
                    rowKey="code"
                    size="small"
                    pagination={{ pageSize: 20, hideOnSinglePage: true }}
                    dataSource={preview.data.counties}
                    style={{ marginTop: 8 }}
                    columns={[
                      {
                        title: t('office.preview.county'),
                        dataIndex: 'name',
                        render: (v, r) => `${v} (${r.code})`,
                      },
                      { title: t('office.preview.population'), dataIndex: 'population' },
                      { title: t('office.preview.targets'), dataIndex: 'targets' },
                    ]}
                  />
                )}
              </div>
            )}
          </section>
          <Button type="primary" onClick={() => launch.mutate(campaign.id)} loading={launch.isPending}>
            {t('campaign.launch')}
          </Button>
        </Card>
      )}
      {campaign && launching && (
        <Card title={campaign.title}>
          <Progress
            percent={percent}
            status={
              done ? (status.data?.executionStatus === 'SUCCEEDED' ? 'success' : 'exception') : 'active'
            }
          />
          <p aria-live="polite">
            {t('campaign.created', {
              created: status.data?.created ?? 0,
              targets: status.data?.targets ?? '…',
            })}
          </p>
          {done && (
            <Result
              status={status.data?.executionStatus === 'SUCCEEDED' ? 'success' : 'error'}
              title={
                status.data?.executionStatus === 'SUCCEEDED'
                  ? t('campaign.launched')
                  : t(`status.${status.data?.campaignStatus}`)
              }
              extra={<Link to={`/campaigns/${campaign.id}`}>{t('campaign.open')}</Link>}
            />
          )}
        </Card>
      )}
    </section>
  );
}
