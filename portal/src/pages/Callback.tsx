import { Button } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { cognitoCallback, type Session } from '../auth.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';

/** Cognito redirects here with `?code=`; the code and the PKCE verifier buy the tokens. */
export default function Callback({ onSession }: { onSession: (s: Session) => void }) {
  const navigate = useNavigate();
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    cognitoCallback(window.location.search).then((session) => {
      onSession(session);
      navigate('/', { replace: true });
    }, setError);
  }, [navigate, onSession]);
  return (
    <main style={{ maxWidth: 560, margin: '24px auto', padding: 12 }}>
      {error ? (
        <>
          <ProblemAlert error={error} />
          <Button type="primary" onClick={() => navigate('/', { replace: true })}>
            {t('auth.again')}
          </Button>
        </>
      ) : (
        <p>{t('loading')}</p>
      )}
    </main>
  );
}
