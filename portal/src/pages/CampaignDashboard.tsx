import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Breadcrumb, Button, Card, Col, Empty, Row, Statistic, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { Campaign, InspectionRow, Page, Progress, RegionFigures, Report } from '../api/types.ts';
import { CampaignNav, ReportDownloads } from '../components/CampaignNav.tsx';
import { BarsChart } from '../components/GradeChart.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { badTag, formatDateTime } from '../format.ts';

const percent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v}%`);

/** A campaign's coverage and status per child region, drill-down to the schools, grades and ranking. */
export default function CampaignDashboard() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const [region, setRegion] = useState<string>();
  const [overdueOnly, setOverdueOnly] = useState(false);
  const campaign = useQuery({
    queryKey: ['campaign', id],
    queryFn: () => unwrap<Campaign>(api().GET('/campaigns/{id}', { params: { path: { id } } })),
  });
  const progress = useQuery({
    queryKey: ['progress', id, region],
    queryFn: () =>
      unwrap<Progress>(
        api().GET('/campaigns/{id}/progress', { params: { path: { id }, query: region ? { region } : {} } }),
      ),
    refetchInterval: 15_000,
  });
  const report = useQuery({
    queryKey: ['report', id, region],
    queryFn: () =>
      unwrap<Report>(
        api().GET('/campaigns/{id}/report', { params: { path: { id }, query: region ? { region } : {} } }),
      ),
  });
  const leaf = progress.data && progress.data.children.length === 0;
  const schools = useInfiniteQuery({
    queryKey: ['campaign-inspections', id, progress.data?.region.code, overdueOnly],
    enabled: !!leaf,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap<Page<InspectionRow>>(
        api().GET('/campaigns/{id}/inspections', {
          params: {
            path: { id },
            query: {
              region: progress.data!.region.code,
              limit: 50,
              ...(overdueOnly ? { overdue: 'now' } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            } as never,
          },
        }),
      ),
    getNextPageParam: (last) => last.cursor,
  });
  const totals = progress.data?.totals;
  const grades = report.data?.totals.grades ?? {};
  const gradeKeys = Object.keys(grades);
  const parents = progress.data?.region.parents ?? [];
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">{campaign.data?.title ?? '…'}</h1>
      <CampaignNav id={id} />
      <ProblemAlert error={campaign.error ?? progress.error ?? report.error ?? schools.error} />
      <Breadcrumb
        items={[
          ...parents
            .filter((p) => campaign.data && p.length >= campaign.data.scope.length)
            .map((code) => ({
              title: (
                <Button type="link" size="small" onClick={() => setRegion(code)}>
                  {code}
                </Button>
              ),
            })),
          { title: progress.data ? `${progress.data.region.name} (${progress.data.region.code})` : '…' },
        ]}
        style={{ marginBottom: 12 }}
      />
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('campaign.targets')} value={totals?.targets ?? '—'} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('campaign.inspections')} value={totals?.inspections ?? '—'} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('campaign.coverage')} value={percent(totals?.coverage)} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic
              title={t('campaign.overdue')}
              value={totals ? Object.values(totals.overdueByPhase).reduce((a, b) => a + b, 0) : '—'}
            />
          </Card>
        </Col>
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} md={12}>
          <Card title={t('campaign.grades')}>
            {report.data && gradeKeys.length > 0 ? (
              <BarsChart
                label={t('campaign.grades')}
                labels={gradeKeys.map((g) => t(`grade.${g}`))}
                values={gradeKeys.map((g) => grades[g] ?? 0)}
              />
            ) : (
              <Empty />
            )}
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card title={t('campaign.ranking')}>
            <Table
              size="small"
              rowKey="code"
              pagination={false}
              dataSource={report.data?.ranking ?? []}
              columns={[
                { title: '#', dataIndex: 'rank' },
                { title: t('campaign.region'), dataIndex: 'name' },
                { title: t('inspection.score'), dataIndex: 'averageScore', render: (v) => v ?? '—' },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <ReportDownloads id={id} region={progress.data?.region.code} />
      {!leaf && (
        <Card title={t('campaign.region')} style={{ marginTop: 12 }}>
          <Table<RegionFigures>
            rowKey="code"
            size="small"
            loading={progress.isLoading}
            dataSource={progress.data?.children ?? []}
            pagination={false}
            scroll={{ x: true }}
            columns={[
              { title: t('campaign.region'), dataIndex: 'name', render: (v, r) => `${v} (${r.code})` },
              { title: t('campaign.targets'), dataIndex: 'targets' },
              { title: t('campaign.inspections'), dataIndex: 'inspections' },
              { title: t('campaign.coverage'), dataIndex: 'coverage', render: percent },
              {
                title: t('campaign.overdue'),
                render: (_, r) => Object.values(r.overdueByPhase).reduce((a, b) => a + b, 0),
              },
              {
                title: t('campaign.escalations'),
                render: (_, r) => Object.values(r.escalations).reduce((a, b) => a + b, 0),
              },
              {
                title: '',
                render: (_, r) => (
                  <Button
                    size="small"
                    onClick={() => setRegion(r.code)}
                    aria-label={`${t('campaign.drill')} ${r.name}`}
                  >
                    {t('campaign.drill')}
                  </Button>
                ),
              },
            ]}
          />
        </Card>
      )}
      {leaf && (
        <Card
          title={t('campaign.schools')}
          style={{ marginTop: 12 }}
          extra={
            <span>
              {t('campaign.overdue')}{' '}
              <Switch
                size="small"
                checked={overdueOnly}
                onChange={setOverdueOnly}
                aria-label={t('campaign.overdue')}
              />
            </span>
          }
        >
          <Table<InspectionRow>
            rowKey="id"
            size="small"
            loading={schools.isLoading}
            dataSource={schools.data?.pages.flatMap((p) => p.items) ?? []}
            pagination={false}
            scroll={{ x: true }}
            columns={[
              { title: t('inspection.school'), dataIndex: 'targetName' },
              {
                title: t('statusLabel'),
                dataIndex: 'status',
                render: (s: string) => <Tag>{t(`status.${s}`)}</Tag>,
              },
              {
                title: t('inspection.due'),
                dataIndex: 'dueAt',
                render: (v) => formatDateTime(v, i18n.language),
              },
              {
                title: t('campaign.overdue'),
                dataIndex: 'overdue',
                render: (v: string[]) => (v.length ? <Tag style={badTag}>{v.join(', ')}</Tag> : null),
              },
              {
                title: t('inspection.score'),
                dataIndex: 'score',
                render: (v, r) => (v === null ? '—' : `${v} ${r.grade ? t(`grade.${r.grade}`) : ''}`),
              },
            ]}
          />
          {schools.hasNextPage && (
            <Button onClick={() => void schools.fetchNextPage()} style={{ marginTop: 8 }}>
              ↓
            </Button>
          )}
        </Card>
      )}
    </section>
  );
}
