import { Button, Card, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { downloadFromApi } from '../download.ts';
import { ProblemAlert } from './ProblemAlert.tsx';

/** The campaign's pages: overview (dashboard), teams, follow-up. */
export const CampaignNav = ({ id }: { id: string }) => {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const base = `/campaigns/${id}`;
  return (
    <nav aria-label={t('office.tabs.dashboard')} style={{ marginBottom: 12 }}>
      <Segmented
        value={pathname}
        onChange={(v) => navigate(String(v))}
        options={[
          { value: base, label: t('office.tabs.dashboard') },
          { value: `${base}/teams`, label: t('office.tabs.teams') },
          { value: `${base}/follow-up`, label: t('office.tabs.followUp') },
        ]}
      />
    </nav>
  );
};

/** CSV and XLSX of GET /campaigns/{id}/report for the region being viewed, downloaded with the session. */
export const ReportDownloads = ({ id, region }: { id: string; region?: string }) => {
  const { t } = useTranslation();
  const [pending, setPending] = useState<string>();
  const [error, setError] = useState<unknown>();
  const download = async (format: 'csv' | 'xlsx') => {
    setPending(format);
    setError(undefined);
    try {
      await downloadFromApi(
        `/campaigns/${encodeURIComponent(id)}/report`,
        { format, region },
        `campaign-${id}-${region ?? ''}.${format}`,
      );
    } catch (e) {
      setError(e);
    } finally {
      setPending(undefined);
    }
  };
  return (
    <Card size="small" title={t('office.report.title')} style={{ marginTop: 12 }}>
      <ProblemAlert error={error} />
      <Space wrap>
        {region && <Typography.Text>{t('office.report.region', { region })}</Typography.Text>}
        <Button onClick={() => void download('csv')} loading={pending === 'csv'}>
          {t('office.report.csv')}
        </Button>
        <Button onClick={() => void download('xlsx')} loading={pending === 'xlsx'}>
          {t('office.report.xlsx')}
        </Button>
        {pending && <span aria-live="polite">{t('common.downloading')}</span>}
      </Space>
    </Card>
  );
};
