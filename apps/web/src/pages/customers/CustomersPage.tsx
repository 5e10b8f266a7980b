import { DownloadOutlined } from '@ant-design/icons';
import { LifecycleStage, type CustomerListItem } from '@forecourt/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Input, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { get, qs } from '../../api/client';
import { useSession } from '../../auth';
import { LoadMore } from '../../components/LoadMore';
import { formatTime } from '../../format';

export function CustomersPage() {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [stage, setStage] = useState<string>();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const filter = { q: q.trim() || undefined, stage };

  const list = useInfiniteQuery({
    queryKey: ['customers', filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: CustomerListItem[]; nextCursor: string | null }>(`/api/customers${qs({ ...filter, limit: 50, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card
      title={t('customers.title')}
      extra={
        can('customers.export') && (
          <Button icon={<DownloadOutlined />} href={`/api/customers/export${qs(filter)}`} data-testid="customers-export">
            {t('customers.export')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          enterButton
          placeholder={t('customers.searchPlaceholder')}
          style={{ width: 520 }}
          onSearch={(v) => (v.trim() === q.trim() ? void list.refetch() : setQ(v))}
          data-testid="customer-search"
        />
        <Select
          allowClear
          placeholder={t('customers.anyStage')}
          style={{ width: 160 }}
          options={LifecycleStage.options.map((s) => ({ value: s, label: t(`stage.${s}`) }))}
          onChange={setStage}
          data-testid="customer-stage"
        />
      </Space>
      <Table<CustomerListItem>
        rowKey="id"
        size="middle"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 900 }}
        data-testid="customers-table"
        onRow={(c) =>
          ({
            'data-testid': 'customer-row',
            style: { cursor: 'pointer' },
            onClick: () => navigate(`/customers/${c.id}`),
          }) as never
        }
        columns={[
          { title: t('customers.name'), dataIndex: 'name', render: (v: string | null) => v ?? t('customers.unnamed') },
          { title: t('customers.phone'), dataIndex: 'phoneMasked', render: (v: string | null) => v ?? '—' },
          { title: t('customers.city'), dataIndex: 'city', render: (v: string | null) => v ?? '—' },
          { title: t('customers.stage'), dataIndex: 'lifecycleStage', render: (v: string) => <Tag>{t(`stage.${v}`, v)}</Tag> },
          { title: t('customers.tags'), dataIndex: 'tags', render: (tags: string[]) => tags.map((x) => <Tag key={x}>{x}</Tag>) },
          { title: t('customers.lastSeen'), dataIndex: 'lastSeenAt', width: 150, render: (v: string) => formatTime(v, tz) },
        ]}
      />
      <LoadMore list={list} />
    </Card>
  );
}
