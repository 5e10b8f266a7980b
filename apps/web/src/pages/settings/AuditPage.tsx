import { DownloadOutlined } from '@ant-design/icons';
import { AuditAction, type AuditEntry, type User } from '@forecourt/contracts';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Select, Space, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../api/client';
import { useSession } from '../../auth';
import { LoadMore } from '../../components/LoadMore';
import { formatTime } from '../../format';

export function AuditPage() {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const [actorId, setActorId] = useState<string>();
  const [action, setAction] = useState<string>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const filter = { actorId, action, from: range?.[0]?.startOf('day').toISOString(), to: range?.[1]?.endOf('day').toISOString() };

  const people = useQuery({
    queryKey: ['audit-people'],
    enabled: can('users.read'),
    queryFn: () => get<{ items: User[] }>('/api/users?limit=200').then((r) => r.items),
  });
  const list = useInfiniteQuery({
    queryKey: ['audit', filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: AuditEntry[]; nextCursor: string | null }>(`/api/audit${qs({ ...filter, limit: 50, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card
      title={t('audit.title')}
      extra={
        can('audit.export') && (
          <Button icon={<DownloadOutlined />} href={`/api/audit/export${qs(filter)}`} data-testid="audit-export">
            {t('audit.export')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('audit.anyUser')}
          style={{ width: 220 }}
          options={(people.data ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.login})` }))}
          onChange={setActorId}
        />
        <Select
          allowClear
          placeholder={t('audit.anyAction')}
          style={{ width: 220 }}
          options={AuditAction.options.map((a) => ({ value: a, label: a }))}
          onChange={setAction}
          data-testid="audit-action"
        />
        <DatePicker.RangePicker onChange={(v) => setRange(v)} />
      </Space>
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 1000 }}
        data-testid="audit-table"
        columns={[
          { title: t('audit.time'), dataIndex: 'at', width: 150, render: (v: string) => formatTime(v, tz) },
          { title: t('audit.actor'), dataIndex: 'actorName', render: (v: string | null) => v ?? '—' },
          { title: t('audit.action'), dataIndex: 'action', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: t('audit.target'), key: 'target', render: (_: unknown, e: AuditEntry) => (e.targetType ? `${e.targetType}` : '—') },
          { title: t('audit.ip'), dataIndex: 'ip', render: (v: string | null) => v ?? '—' },
          {
            title: t('audit.details'),
            dataIndex: 'details',
            render: (d: Record<string, unknown>) =>
              Object.keys(d).length ? <Typography.Text type="secondary">{JSON.stringify(d)}</Typography.Text> : '—',
          },
        ]}
      />
      <LoadMore list={list} />
    </Card>
  );
}
