import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Input,
  InputNumber,
  Progress,
  Select,
  Space,
  Tag,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, OfflineError, unwrap } from '../api/client.ts';
import type { FindingEntry, Indicator, Inspection } from '../api/types.ts';
import type { Session } from '../auth.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { uploadEvidence } from '../files.ts';
import { chinaToday, formatDateTime, goodTag, localized } from '../format.ts';
import { discardEntry, enqueueFindings, flushOutbox, putEntry } from '../outbox.ts';
import { useOutbox } from './WorkList.tsx';

type Severity = 'minor' | 'major' | 'critical';
type Draft = Record<
  string,
  {
    method: string;
    score: number;
    comment: string;
    problems: { key: string; description: string; severity: Severity }[];
    evidenceIds: string[];
  }
>;

const draftOf = (inspection: Inspection): Draft => {
  const recorded = new Map((inspection.findings?.indicators ?? []).map((f) => [f.indicatorId, f]));
  return Object.fromEntries(
    inspection.template.indicators.map((i) => {
      const f = recorded.get(i.id);
      return [
        i.id,
        {
          method: f?.method ?? i.methods[0] ?? 'campus_patrol',
          score: f?.score ?? 90,
          comment: f?.comment ?? '',
          problems: (f?.problems ?? []).map((p) => ({
            key: crypto.randomUUID(),
            description: p.description,
            severity: p.severity,
          })),
          evidenceIds: f?.evidenceIds ?? [],
        },
      ];
    }),
  );
};

/** One photo per click: camera on phones (`capture`), SHA-256 in the browser, straight to the presigned URL. */
const PhotoInput = ({
  inspectionId,
  indicator,
  onUploaded,
}: {
  inspectionId: string;
  indicator: Indicator;
  onUploaded: (id: string) => void;
}) => {
  const { t, i18n } = useTranslation();
  const [progress, setProgress] = useState<number>();
  const [hash, setHash] = useState<string>();
  const [error, setError] = useState<unknown>();
  const inputId = `photo-${indicator.id}`;
  return (
    <div>
      <label htmlFor={inputId}>
        {t('inspection.photo')} · {localized(indicator.title, i18n.language)}
      </label>
      <br />
      <input
        id={inputId}
        type="file"
        accept="image/*"
        capture="environment"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          setError(undefined);
          setHash(undefined);
          setProgress(0);
          uploadEvidence(inspectionId, file, indicator.id, setProgress).then(({ id, sha256 }) => {
            setHash(sha256);
            onUploaded(id);
          }, setError);
        }}
      />
      {progress !== undefined && !hash && (
        <Progress percent={progress} size="small" aria-label={t('inspection.uploading')} />
      )}
      {hash && (
        <Tag style={goodTag} role="status">
          {t('inspection.uploaded', { hash: hash.slice(0, 12) })}
        </Tag>
      )}
      <ProblemAlert error={error} />
    </div>
  );
};

const Findings = ({ inspection, session }: { inspection: Inspection; session: Session }) => {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(inspection));
  const [visit, setVisit] = useState({ date: chinaToday(), durationMinutes: 90 });
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const outbox = useOutbox().filter((e) => e.inspectionId === inspection.id);
  const update = (id: string, change: Partial<Draft[string]>) =>
    setDraft((d) => ({ ...d, [id]: { ...d[id]!, ...change } }));
  const body = () => ({
    version: inspection.version,
    visit,
    indicators: Object.entries(draft).map(
      ([indicatorId, d]): FindingEntry => ({
        indicatorId,
        method: d.method,
        score: d.score,
        comment: d.comment,
        problems: d.problems
          .filter((p) => p.description.trim())
          .map(({ description, severity }) => ({ description, severity })),
        evidenceIds: d.evidenceIds,
      }),
    ),
  });
  const save = async () => {
    setSaving(true);
    setError(undefined);
    const findings = body();
    try {
      if (!navigator.onLine) throw new OfflineError('offline');
      await unwrap(
        api().PUT('/inspections/{id}/findings', {
          params: { path: { id: inspection.id } },
          body: findings as never,
        }),
      );
      void message.success(t('inspection.saved'));
      await queryClient.invalidateQueries({ queryKey: ['inspection', inspection.id] });
    } catch (e) {
      if (e instanceof OfflineError) {
        await enqueueFindings(inspection.id, findings);
        void message.info(t('inspection.queued'));
      } else setError(e);
    } finally {
      setSaving(false);
    }
  };
  const lead = inspection.status === 'inspected';
  const report = useMutation({
    mutationFn: () =>
      unwrap<Inspection>(
        api().POST('/inspections/{id}/report', {
          params: { path: { id: inspection.id } },
          body: { version: inspection.version },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['inspection', inspection.id] }),
  });
  return (
    <>
      {outbox.map((entry) =>
        entry.state === 'conflict' ? (
          <Alert
            key={entry.id}
            type="warning"
            showIcon
            role="alert"
            message={entry.problem?.status === 409 ? t('inspection.conflict') : t('error')}
            description={entry.problem ? `${entry.problem.title}: ${entry.problem.detail}` : undefined}
            action={
              <Space direction="vertical">
                <Button
                  size="small"
                  onClick={async () => {
                    const fresh = await queryClient.fetchQuery({
                      staleTime: 0,
                      queryKey: ['inspection', inspection.id],
                      queryFn: () =>
                        unwrap<Inspection>(
                          api().GET('/inspections/{id}', { params: { path: { id: inspection.id } } }),
                        ),
                    });
                    await putEntry({
                      ...entry,
                      state: 'pending',
                      body: { ...entry.body, version: fresh.version },
                    });
                    await flushOutbox();
                    await queryClient.invalidateQueries({ queryKey: ['inspection', inspection.id] });
                  }}
                >
                  {t('inspection.retry')}
                </Button>
                <Button size="small" danger onClick={() => void discardEntry(entry.id)}>
                  {t('inspection.discard')}
                </Button>
              </Space>
            }
            style={{ marginBottom: 8 }}
          />
        ) : (
          <Alert
            key={entry.id}
            type="info"
            showIcon
            message={t('inspection.queued')}
            style={{ marginBottom: 8 }}
          />
        ),
      )}
      <ProblemAlert error={error ?? report.error} />
      <Card size="small" title={t('inspection.visitDate')} style={{ marginBottom: 8 }}>
        <Space wrap>
          <Input
            type="date"
            aria-label={t('inspection.visitDate')}
            value={visit.date}
            onChange={(e) => setVisit({ ...visit, date: e.target.value })}
          />
          <span>
            {t('inspection.duration')}{' '}
            <InputNumber
              min={1}
              max={1440}
              aria-label={t('inspection.duration')}
              value={visit.durationMinutes}
              onChange={(v) => setVisit({ ...visit, durationMinutes: v ?? 1 })}
            />
          </span>
        </Space>
      </Card>
      {inspection.template.indicators.map((indicator) => {
        const d = draft[indicator.id]!;
        const self = inspection.selfAssessment?.indicators.find((s) => s.indicatorId === indicator.id);
        return (
          <Card
            key={indicator.id}
            size="small"
            title={`${localized(indicator.title, i18n.language)} (${indicator.weight})`}
            style={{ marginBottom: 8 }}
            data-indicator={indicator.id}
          >
            {self && (
              <p>
                {t('inspection.selfAssessment')}: {self.score} · {self.statement}
              </p>
            )}
            <Space direction="vertical" style={{ width: '100%' }}>
              <span>
                {t('inspection.method')}{' '}
                <Select
                  value={d.method}
                  onChange={(method) => update(indicator.id, { method })}
                  style={{ minWidth: 160 }}
                  options={indicator.methods.map((m) => ({ value: m, label: t(`method.${m}`) }))}
                  aria-label={`${t('inspection.method')} ${localized(indicator.title, i18n.language)}`}
                />
              </span>
              <span>
                {t('inspection.score')}{' '}
                <InputNumber
                  min={0}
                  max={100}
                  value={d.score}
                  onChange={(v) => update(indicator.id, { score: v ?? 0 })}
                  aria-label={`${t('inspection.score')} ${localized(indicator.title, i18n.language)}`}
                />
              </span>
              <Input.TextArea
                aria-label={`${t('inspection.comment')} ${localized(indicator.title, i18n.language)}`}
                placeholder={t('inspection.comment')}
                value={d.comment}
                maxLength={2000}
                onChange={(e) => update(indicator.id, { comment: e.target.value })}
              />
              {d.problems.map((p, n) => (
                <Space key={p.key} wrap>
                  <Input
                    aria-label={`${t('inspection.problems')} ${n + 1}`}
                    value={p.description}
                    maxLength={500}
                    onChange={(e) =>
                      update(indicator.id, {
                        problems: d.problems.map((q, m) =>
                          m === n ? { ...q, description: e.target.value } : q,
                        ),
                      })
                    }
                  />
                  <Select<Severity>
                    aria-label={t('inspection.severity')}
                    value={p.severity}
                    onChange={(severity) =>
                      update(indicator.id, {
                        problems: d.problems.map((q, m) => (m === n ? { ...q, severity } : q)),
                      })
                    }
                    options={(['minor', 'major', 'critical'] as const).map((s) => ({
                      value: s,
                      label: t(`severity.${s}`),
                    }))}
                  />
                </Space>
              ))}
              <Button
                size="small"
                onClick={() =>
                  update(indicator.id, {
                    problems: [
                      ...d.problems,
                      { key: crypto.randomUUID(), description: '', severity: 'minor' },
                    ],
                  })
                }
              >
                {t('inspection.addProblem')}
              </Button>
              <PhotoInput
                inspectionId={inspection.id}
                indicator={indicator}
                onUploaded={(id) => update(indicator.id, { evidenceIds: [...d.evidenceIds, id] })}
              />
            </Space>
          </Card>
        );
      })}
      <Space wrap style={{ position: 'sticky', bottom: 0, background: '#fff', padding: 8, width: '100%' }}>
        <Button type="primary" onClick={() => void save()} loading={saving}>
          {t('inspection.saveFindings')}
        </Button>
        {lead && session.role === 'inspector' && (
          <Button onClick={() => report.mutate()} loading={report.isPending}>
            {t('inspection.report')}
          </Button>
        )}
      </Space>
    </>
  );
};

const SelfAssessment = ({ inspection }: { inspection: Inspection }) => {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<string, { score: number; statement: string }>>(() =>
    Object.fromEntries(inspection.template.indicators.map((i) => [i.id, { score: 90, statement: '' }])),
  );
  const prefill = useMutation({
    mutationFn: () =>
      unwrap<{ indicators?: { indicatorId: string; score?: number; statement?: string }[] }>(
        api().GET('/inspections/{id}/self-assessment/prefill', { params: { path: { id: inspection.id } } }),
      ),
    onSuccess: (p) =>
      setValues((v) => {
        const next = { ...v };
        for (const i of p.indicators ?? [])
          next[i.indicatorId] = {
            score: i.score ?? next[i.indicatorId]?.score ?? 90,
            statement: i.statement ?? '',
          };
        return next;
      }),
  });
  const submit = useMutation({
    mutationFn: () =>
      unwrap(
        api().PUT('/inspections/{id}/self-assessment', {
          params: { path: { id: inspection.id } },
          body: {
            version: inspection.version,
            indicators: Object.entries(values).map(([indicatorId, v]) => ({
              indicatorId,
              score: v.score,
              statement: v.statement || '—',
            })),
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['inspection', inspection.id] }),
  });
  return (
    <Card title={t('inspection.selfAssessment')}>
      <ProblemAlert error={prefill.error ?? submit.error} />
      <Button onClick={() => prefill.mutate()} loading={prefill.isPending} style={{ marginBottom: 8 }}>
        {t('inspection.prefill')}
      </Button>
      {inspection.template.indicators.map((i) => (
        <Space key={i.id} direction="vertical" style={{ width: '100%', marginBottom: 8 }}>
          <strong>{localized(i.title, i18n.language)}</strong>
          <InputNumber
            aria-label={`${t('inspection.score')} ${localized(i.title, i18n.language)}`}
            min={0}
            max={100}
            value={values[i.id]?.score}
            onChange={(v) => setValues((s) => ({ ...s, [i.id]: { ...s[i.id]!, score: v ?? 0 } }))}
          />
          <Input.TextArea
            aria-label={`${t('inspection.statement')} ${localized(i.title, i18n.language)}`}
            value={values[i.id]?.statement}
            maxLength={2000}
            onChange={(e) => setValues((s) => ({ ...s, [i.id]: { ...s[i.id]!, statement: e.target.value } }))}
          />
        </Space>
      ))}
      <Button type="primary" onClick={() => submit.mutate()} loading={submit.isPending}>
        {t('inspection.submitSelf')}
      </Button>
    </Card>
  );
};

const Rectifications = ({ inspection }: { inspection: Inspection }) => {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [plans, setPlans] = useState<Record<string, string>>({});
  const acknowledge = useMutation({
    mutationFn: () =>
      unwrap(
        api().POST('/inspections/{id}/feedback/acknowledge', {
          params: { path: { id: inspection.id } },
          body: { version: inspection.version },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['inspection', inspection.id] }),
  });
  const send = useMutation({
    mutationFn: (v: { rid: string; plan?: string; completion?: { statement: string } }) =>
      unwrap(
        api().PUT('/inspections/{id}/rectifications/{rid}', {
          params: { path: { id: inspection.id, rid: v.rid } },
          body: {
            version: inspection.version,
            ...(v.plan ? { plan: v.plan } : {}),
            ...(v.completion ? { completion: v.completion } : {}),
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['inspection', inspection.id] }),
  });
  return (
    <Card title={t('inspection.rectifications')}>
      <ProblemAlert error={acknowledge.error ?? send.error} />
      {inspection.feedback?.acknowledgedAt ? (
        <Tag role="status" style={goodTag}>
          {t('inspection.acknowledged')}
        </Tag>
      ) : (
        <Button
          onClick={() => acknowledge.mutate()}
          style={{ marginBottom: 8 }}
          loading={acknowledge.isPending}
        >
          {t('inspection.acknowledge')}
        </Button>
      )}
      {(inspection.rectifications ?? []).map((r) => (
        <Card
          key={r.id}
          size="small"
          title={r.problem}
          extra={<Tag data-rectification={r.status}>{t(`rectification.${r.status}`)}</Tag>}
          style={{ marginBottom: 8 }}
        >
          <Input.TextArea
            aria-label={`${t('inspection.plan')} ${r.problem}`}
            value={plans[r.id] ?? ''}
            maxLength={2000}
            onChange={(e) => setPlans((p) => ({ ...p, [r.id]: e.target.value }))}
          />
          <Space style={{ marginTop: 8 }}>
            <Button onClick={() => send.mutate({ rid: r.id, plan: plans[r.id] ?? '' })}>
              {t('inspection.submitPlan')}
            </Button>
            <Button
              type="primary"
              onClick={() => send.mutate({ rid: r.id, completion: { statement: plans[r.id] || '—' } })}
            >
              {t('inspection.complete')}
            </Button>
          </Space>
        </Card>
      ))}
    </Card>
  );
};

/** One inspection per page: what the template asks, the school's self-assessment, findings, report, rectification. */
export default function InspectionPage({ session }: { session: Session }) {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const inspection = useQuery({
    queryKey: ['inspection', id],
    queryFn: () => unwrap<Inspection>(api().GET('/inspections/{id}', { params: { path: { id } } })),
  });
  const queryClient = useQueryClient();
  useEffect(() => {
    const back = () =>
      void flushOutbox().then(() => queryClient.invalidateQueries({ queryKey: ['inspection', id] }));
    window.addEventListener('online', back);
    return () => window.removeEventListener('online', back);
  }, [id, queryClient]);
  const data = inspection.data;
  const recording =
    data && session.role === 'inspector' && ['assigned', 'self_assessed', 'inspected'].includes(data.status);
  return (
    <section aria-labelledby="inspection-title">
      <h1 id="inspection-title">{data?.targetName ?? '…'}</h1>
      <ProblemAlert error={inspection.error} />
      {data && (
        <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered style={{ marginBottom: 8 }}>
          <Descriptions.Item label={t('campaign.template')}>
            {localized(data.template.title, i18n.language)}
          </Descriptions.Item>
          <Descriptions.Item label={t('statusLabel')}>
            <Tag data-status={data.status}>{t(`status.${data.status}`)}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('inspection.due')}>
            {formatDateTime(data.dueAt, i18n.language)}
          </Descriptions.Item>
          {data.report && (
            <Descriptions.Item label={t('inspection.report')}>
              <span role="status">
                {t('inspection.reported', {
                  grade: t(`grade.${data.report.grade}`),
                  score: data.report.score,
                })}
              </span>
            </Descriptions.Item>
          )}
        </Descriptions>
      )}
      {recording && <Findings key={data.version} inspection={data} session={session} />}
      {data && session.role === 'school' && data.status === 'assigned' && (
        <SelfAssessment inspection={data} />
      )}
      {data &&
        session.role === 'school' &&
        ['rectifying', 'rectification_submitted'].includes(data.status) && (
          <Rectifications inspection={data} />
        )}
    </section>
  );
}
