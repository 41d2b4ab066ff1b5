import { useQuery } from '@tanstack/react-query';
import { Button, Card, List, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { cognitoSignIn, localPersonas, localSignIn, type Session } from '../auth.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { config } from '../config.ts';
import { languageKey } from '../i18n.ts';

/** Locally: the demo personas (tokens from the dev issuer). In AWS: Cognito's hosted sign-in (code + PKCE). */
export const SignIn = ({ onSession }: { onSession: (s: Session) => void }) => {
  const { t, i18n } = useTranslation();
  const mode = config().auth.mode;
  const personas = useQuery({ queryKey: ['personas'], queryFn: localPersonas, enabled: mode === 'local' });
  const [error, setError] = useState<unknown>();
  return (
    <main style={{ maxWidth: 560, margin: '24px auto', padding: 12 }}>
      <Card
        title={<h1 style={{ fontSize: 20, margin: 0 }}>{t('app')} · dudao</h1>}
        extra={
          <Button
            onClick={() => {
              const next = i18n.language === 'zh' ? 'en' : 'zh';
              localStorage.setItem(languageKey, next);
              void i18n.changeLanguage(next);
            }}
          >
            {t('language')}
          </Button>
        }
      >
        <ProblemAlert error={error ?? personas.error} />
        {mode === 'cognito' ? (
          <Button type="primary" block onClick={() => void cognitoSignIn()}>
            {t('signInCognito')}
          </Button>
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text>{t('signInAs')}</Typography.Text>
            <List
              loading={personas.isLoading}
              dataSource={personas.data ?? []}
              renderItem={(p) => (
                <List.Item>
                  <Button
                    block
                    data-persona={p.id}
                    onClick={() => localSignIn(p.id).then(onSession, setError)}
                    style={{ textAlign: 'left', height: 'auto', whiteSpace: 'normal' }}
                  >
                    <strong>{t(`role.${p.role}`)}</strong>&nbsp;
                    {i18n.language === 'zh' ? p.title.zh : p.title.en}
                  </Button>
                </List.Item>
              )}
            />
          </Space>
        )}
      </Card>
    </main>
  );
};
