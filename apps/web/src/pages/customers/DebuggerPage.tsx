import { ArrowLeftOutlined } from '@ant-design/icons';
import type { DebuggerEntry, Source } from '@forecourt/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, get } from '../../api/client';
import { useSession } from '../../auth';
import { formatTime } from '../../format';

const STATUS_COLOR: Record<DebuggerEntry['status'], string> = { accepted: 'green', pending: 'blue', rejected: 'red' };

export function DebuggerPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { id = '' } = useParams();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const source = useQuery({ queryKey: ['source', id], queryFn: () => get<Source>(`/api/sources/${id}`) });
  const entries = useQuery({
    queryKey: ['debugger', id],
    queryFn: () => get<{ items: DebuggerEntry[] }>(`/api/sources/${id}/debugger?limit=50`).then((r) => r.items),
    refetchInterval: 2000,
  });

  return (
    <Card
      title={t('debugger.title', { name: source.data?.name ?? '' })}
      extra={
        <Link to="/customers/sources">
          <ArrowLeftOutlined /> {t('debugger.back')}
        </Link>
      }
    >
      <Typography.Paragraph type="secondary">{t('debugger.hint')}</Typography.Paragraph>
      {entries.error && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={entries.error instanceof ApiError ? entries.error.display : String(entries.error)}
        />
      )}
      <Table<DebuggerEntry>
        rowKey={(e, i) => `${e.messageId ?? ''}-${e.at}-${i ?? 0}`}
        size="small"
        loading={entries.isLoading}
        dataSource={entries.data ?? []}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: t('debugger.empty') }}
        data-testid="debugger-table"
        onRow={(e) => ({ 'data-testid': `debugger-row-${e.status}` }) as never}
        expandable={{
          expandedRowRender: (e) => (
            // Rendered as text: the payload is whatever a website sent.
            <pre data-testid="debugger-payload" style={{ margin: 0, maxHeight: 400, overflow: 'auto', fontSize: 12 }}>
              {JSON.stringify(e.payload, null, 2)}
            </pre>
          ),
        }}
        columns={[
          { title: t('debugger.time'), dataIndex: 'at', width: 150, render: (v: string) => formatTime(v, tz) },
          {
            title: t('debugger.status'),
            dataIndex: 'status',
            width: 100,
            render: (s: DebuggerEntry['status']) => <Tag color={STATUS_COLOR[s]}>{t(`debugger.status_${s}`)}</Tag>,
          },
          { title: t('debugger.type'), dataIndex: 'type', width: 100, render: (v: string | null) => v ?? '—' },
          { title: t('debugger.event'), dataIndex: 'name', width: 180, render: (v: string | null) => v ?? '—' },
          {
            title: t('debugger.reason'),
            key: 'reason',
            render: (_: unknown, e: DebuggerEntry) =>
              e.reason ? (
                <Tooltip title={e.message}>
                  <span data-testid="debugger-reason">
                    <Typography.Text code>{e.reason}</Typography.Text> {t(`rejectReason.${e.reason}`, { defaultValue: e.message ?? '' })}
                  </span>
                </Tooltip>
              ) : (
                '—'
              ),
          },
        ]}
      />
    </Card>
  );
}
