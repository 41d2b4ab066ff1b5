import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, List, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { InspectionRow, Page } from '../api/types.ts';
import type { Session } from '../auth.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { badTag, formatDateTime } from '../format.ts';
import { type OutboxEntry, onOutboxChange, outboxEntries } from '../outbox.ts';

export const useOutbox = () => {
  const [entries, setEntries] = useState<OutboxEntry[]>([]);
  useEffect(() => {
    const read = () => void outboxEntries().then(setEntries, () => undefined);
    read();
    return onOutboxChange(read);
  }, []);
  return entries;
};

/** The inspector's work list (lead or member), or a school's inspections: one card each, phone first. */
export default function WorkList({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const outbox = useOutbox();
  const query = session.role === 'inspector' ? { assignee: 'me' as const } : { schoolId: session.scope };
  const list = useInfiniteQuery({
    queryKey: ['work', session.role, session.scope],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap<Page<InspectionRow>>(
        api().GET('/inspections', {
          params: { query: { ...query, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.cursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const pending = outbox.filter((e) => e.state === 'pending').length;
  const conflicts = outbox.filter((e) => e.state === 'conflict');
  return (
    <section aria-labelledby="work-title">
      <h1 id="work-title">{session.role === 'inspector' ? t('nav.work') : t('nav.school')}</h1>
      <ProblemAlert error={list.error} />
      {pending > 0 && (
        <Alert
          type="info"
          showIcon
          message={`${t('inspection.pending')}: ${pending}`}
          style={{ marginBottom: 8 }}
        />
      )}
      {conflicts.map((c) => (
        <Alert
          key={c.id}
          type="warning"
          showIcon
          message={t('inspection.conflict')}
          description={<Link to={`/inspections/${c.inspectionId}`}>{c.inspectionId}</Link>}
          style={{ marginBottom: 8 }}
        />
      ))}
      <List
        loading={list.isLoading}
        dataSource={rows}
        locale={{
          emptyText: (
            <Empty description={session.role === 'inspector' ? t('empty.work') : t('empty.school')} />
          ),
        }}
        renderItem={(row) => (
          <List.Item>
            <Card
              size="small"
              style={{ width: '100%' }}
              title={<Link to={`/inspections/${row.id}`}>{row.targetName}</Link>}
            >
              <Tag>{t(`status.${row.status}`)}</Tag>
              {row.overdue?.length > 0 && <Tag style={badTag}>{t('campaign.overdue')}</Tag>}
              <div>
                {t('inspection.due')}: {formatDateTime(row.dueAt, i18n.language)}
              </div>
            </Card>
          </List.Item>
        )}
      />
      {list.hasNextPage && <Button onClick={() => void list.fetchNextPage()}>↓</Button>}
    </section>
  );
}
