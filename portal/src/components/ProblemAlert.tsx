import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ProblemError } from '../api/client.ts';

/** An error as people read it: the problem's title and detail (the API answers in the request's terms). */
export const ProblemAlert = ({ error }: { error: unknown }) => {
  const { t } = useTranslation();
  if (!error) return null;
  const title = error instanceof ProblemError ? `${error.title} (${error.status})` : t('error');
  const detail = error instanceof ProblemError ? error.detail : (error as Error).message;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      message={title}
      description={detail}
      style={{ marginBottom: 12 }}
    />
  );
};
