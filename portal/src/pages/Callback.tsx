import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { cognitoCallback, type Session } from '../auth.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';

/** Cognito redirects here with `?code=`; the code and the PKCE verifier buy the tokens. */
export default function Callback({ onSession }: { onSession: (s: Session) => void }) {
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    cognitoCallback(window.location.search).then((session) => {
      onSession(session);
      navigate('/', { replace: true });
    }, setError);
  }, [navigate, onSession]);
  return <main>{error ? <ProblemAlert error={error} /> : <p>…</p>}</main>;
}
