import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Empty, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { Campaign, Page } from '../api/types.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';

/** The office's campaigns, paged with the API's cursors. */
export default function Campaigns() {
  const { t } = useTranslation();
  const list = useInfiniteQuery({
    queryKey: ['campaigns'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap<Page<Campaign>>(
        api().GET('/campaigns', {
          params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.cursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="campaigns-title">
      <h1 id="campaigns-title">{t('nav.campaigns')}</h1>
      <ProblemAlert error={list.error} />
      <Table<Campaign>
        rowKey="id"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <Empty description={t('empty.campaigns')} /> }}
        columns={[
          {
            title: t('campaign.title'),
            dataIndex: 'title',
            render: (v, c) => <Link to={`/campaigns/${c.id}`}>{v}</Link>,
          },
          { title: t('campaign.scope'), dataIndex: 'scope' },
          { title: t('campaign.template'), dataIndex: 'templateId' },
          { title: t('inspection.due'), render: (_, c) => `${c.window.start} – ${c.window.end}` },
          {
            title: t('statusLabel'),
            dataIndex: 'status',
            render: (s: string) => <Tag>{t(`status.${s}`)}</Tag>,
          },
        ]}
      />
      {list.hasNextPage && (
        <Button
          onClick={() => void list.fetchNextPage()}
          loading={list.isFetchingNextPage}
          style={{ marginTop: 12 }}
        >
          ↓
        </Button>
      )}
    </section>
  );
}
