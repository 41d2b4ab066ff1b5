import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Space, Tag, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { currentSession, type Session, signOut } from './auth.ts';
import { languageKey } from './i18n.ts';
import { flushOutbox } from './outbox.ts';
import { SignIn } from './pages/SignIn.tsx';

const Campaigns = lazy(() => import('./pages/Campaigns.tsx'));
const CampaignDashboard = lazy(() => import('./pages/CampaignDashboard.tsx'));
const CampaignWizard = lazy(() => import('./pages/CampaignWizard.tsx'));
const CampaignTeams = lazy(() => import('./pages/CampaignTeams.tsx'));
const CampaignFollowUp = lazy(() => import('./pages/CampaignFollowUp.tsx'));
const ImportWizard = lazy(() => import('./pages/ImportWizard.tsx'));
const WorkList = lazy(() => import('./pages/WorkList.tsx'));
const InspectionPage = lazy(() => import('./pages/Inspection.tsx'));
const Audit = lazy(() => import('./pages/Audit.tsx'));
const Callback = lazy(() => import('./pages/Callback.tsx'));

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, staleTime: 10_000, refetchOnWindowFocus: false } },
});

const isOffice = (role: string) => role.endsWith('_admin');
export const homeOf = (session: Session) =>
  isOffice(session.role)
    ? '/campaigns'
    : session.role === 'inspector'
      ? '/work'
      : session.role === 'auditor'
        ? '/audit'
        : '/work';

const useOnline = () => {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => {
      setOnline(true);
      void flushOutbox();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    if (navigator.onLine) void flushOutbox().catch(() => undefined);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
};

const Shell = ({ session, onSignOut }: { session: Session; onSignOut: () => void }) => {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const online = useOnline();
  const items = isOffice(session.role)
    ? [
        { key: '/campaigns', label: t('nav.campaigns') },
        { key: '/campaigns/new', label: t('nav.newCampaign') },
        { key: '/imports', label: t('nav.imports') },
      ]
    : session.role === 'auditor'
      ? [{ key: '/audit', label: t('nav.audit') }]
      : [{ key: '/work', label: session.role === 'inspector' ? t('nav.work') : t('nav.school') }];
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 12,
          padding: '0 12px',
          flexWrap: 'wrap',
          height: 'auto',
        }}
      >
        <Typography.Text strong style={{ color: '#fff', whiteSpace: 'nowrap' }}>
          {t('app')}
        </Typography.Text>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={[location.pathname]}
          items={items}
          onClick={(e) => navigate(e.key)}
          style={{ flex: 1, minWidth: 0 }}
        />
        <Space wrap>
          <Tag
            role="status"
            style={
              online
                ? { color: '#135200', background: '#f6ffed' }
                : { color: '#612500', background: '#fff7e6' }
            }
          >
            {online ? t('online') : t('offline')}
          </Tag>
          <Typography.Text style={{ color: '#fff' }}>
            {t(`role.${session.role}`)} · {session.name ?? session.scope}
          </Typography.Text>
          <Button
            size="small"
            onClick={() => {
              const next = i18n.language === 'zh' ? 'en' : 'zh';
              localStorage.setItem(languageKey, next);
              void i18n.changeLanguage(next);
            }}
          >
            {t('language')}
          </Button>
          <Button size="small" onClick={onSignOut}>
            {t('signOut')}
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 12, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <main>
          <Suspense fallback={<p>{t('loading')}</p>}>
            <Routes>
              <Route path="/campaigns" element={<Campaigns />} />
              <Route path="/campaigns/new" element={<CampaignWizard />} />
              <Route path="/campaigns/:id" element={<CampaignDashboard />} />
              <Route path="/campaigns/:id/teams" element={<CampaignTeams />} />
              <Route path="/campaigns/:id/follow-up" element={<CampaignFollowUp />} />
              <Route path="/imports" element={<ImportWizard />} />
              <Route path="/work" element={<WorkList session={session} />} />
              <Route path="/inspections/:id" element={<InspectionPage session={session} />} />
              <Route path="/audit" element={<Audit />} />
              <Route path="*" element={<Navigate to={homeOf(session)} replace />} />
            </Routes>
          </Suspense>
        </main>
      </Layout.Content>
    </Layout>
  );
};

const Root = () => {
  const [session, setSession] = useState(currentSession());
  const { t } = useTranslation();
  return (
    <Routes>
      <Route
        path="/callback"
        element={
          <Suspense fallback={<p>{t('loading')}</p>}>
            <Callback onSession={setSession} />
          </Suspense>
        }
      />
      <Route
        path="*"
        element={
          session ? (
            <Shell
              session={session}
              onSignOut={() => {
                signOut();
                queryClient.clear();
                setSession(undefined);
              }}
            />
          ) : (
            <SignIn onSession={setSession} />
          )
        }
      />
    </Routes>
  );
};

export const App = () => {
  const { i18n } = useTranslation();
  useEffect(() => {
    document.documentElement.lang = i18n.language === 'zh' ? 'zh-CN' : 'en';
  }, [i18n.language]);
  return (
    <ConfigProvider
      locale={i18n.language === 'zh' ? zhCN : enUS}
      button={{ autoInsertSpace: false }}
      // Darker than Ant Design's defaults where those fall under WCAG AA contrast (4.5:1) on white.
      theme={{
        token: {
          colorPrimary: '#0958d9',
          // Hovered and pressed buttons keep white text readable too (the derived hover blue is lighter).
          colorPrimaryHover: '#003eb3',
          colorPrimaryActive: '#002c8c',
          colorLinkHover: '#003eb3',
          colorInfo: '#0958d9',
          colorLink: '#0958d9',
          colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
          colorTextDescription: 'rgba(0, 0, 0, 0.6)',
          colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
          colorTextQuaternary: 'rgba(0, 0, 0, 0.55)',
        },
      }}
    >
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <Root />
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
};
