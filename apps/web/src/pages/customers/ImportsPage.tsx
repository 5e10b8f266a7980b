import { PlusOutlined } from '@ant-design/icons';
import type { ImportView } from '@forecourt/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Progress, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { get, qs } from '../../api/client';
import { useSession } from '../../auth';
import { LoadMore } from '../../components/LoadMore';
import { formatTime } from '../../format';

export const IMPORT_STATUS_COLOR: Record<ImportView['status'], string> = {
  uploaded: 'default',
  mapped: 'default',
  queued: 'processing',
  running: 'processing',
  done: 'success',
  failed: 'error',
  cancelled: 'warning',
};

const running = (v: ImportView) => v.status === 'queued' || v.status === 'running';

/** 导入 / Imports: every import in my scope, newest first; a running one shows its progress. */
export function ImportsPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const navigate = useNavigate();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const list = useInfiniteQuery({
    queryKey: ['imports'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: ImportView[]; nextCursor: string | null }>(`/api/imports${qs({ limit: 20, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some(running)) ? 2000 : false),
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card
      title={t('imports.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/customers/imports/new')} data-testid="imports-new">
          {t('imports.new')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('imports.hint')}</Typography.Paragraph>
      <Table<ImportView>
        rowKey="id"
        size="middle"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 1000 }}
        locale={{ emptyText: t('imports.empty') }}
        data-testid="imports-table"
        onRow={() => ({ 'data-testid': 'import-row' }) as never}
        columns={[
          {
            title: t('imports.file'),
            dataIndex: 'fileName',
            render: (name: string, v: ImportView) => (
              <Link to={`/customers/imports/${v.id}`} data-testid="import-link">
                {name}
              </Link>
            ),
          },
          {
            title: t('common.status'),
            dataIndex: 'status',
            width: 160,
            render: (_: unknown, v: ImportView) => (
              <Space size={4}>
                <Tag color={IMPORT_STATUS_COLOR[v.status]}>{t(`imports.status_${v.status}`)}</Tag>
                {v.dryRun && <Tag>{t('imports.dryRun')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('imports.progress'),
            key: 'progress',
            width: 180,
            render: (_: unknown, v: ImportView) =>
              running(v) || v.status === 'done' ? (
                <Progress percent={v.percent} size="small" status={running(v) ? 'active' : undefined} />
              ) : (
                '—'
              ),
          },
          { title: t('imports.okRows'), dataIndex: 'okRows', align: 'right', width: 100, render: (n: number) => n.toLocaleString() },
          {
            title: t('imports.errorRows'),
            dataIndex: 'errorRows',
            align: 'right',
            width: 100,
            render: (n: number) => (n ? <Typography.Text type="danger">{n.toLocaleString()}</Typography.Text> : 0),
          },
          {
            title: t('imports.duplicateRows'),
            dataIndex: 'duplicateRows',
            align: 'right',
            width: 100,
            render: (n: number) => n.toLocaleString(),
          },
          { title: t('imports.by'), dataIndex: 'createdByName', width: 120, render: (v: string | null) => v ?? '—' },
          { title: t('imports.createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatTime(v, tz) },
        ]}
      />
      <LoadMore list={list} />
    </Card>
  );
}
