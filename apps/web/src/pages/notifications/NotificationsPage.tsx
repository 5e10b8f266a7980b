import type { Notification } from '@forecourt/contracts';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, List, Segmented, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post, qs } from '../../api/client';
import { useSession } from '../../auth';
import { LoadMore } from '../../components/LoadMore';
import { useOpenNotification } from '../../components/NotificationBell';
import { formatTime } from '../../format';

/** 消息通知 / Notifications: all of mine, or unread only; clicking one reads it and opens its link. */
export function NotificationsPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const client = useQueryClient();
  const open = useOpenNotification();
  const [filter, setFilter] = useState<'all' | 'unread'>('all');
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const list = useInfiniteQuery({
    queryKey: ['notifications', 'page', filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: Notification[]; nextCursor: string | null }>(
        `/api/notifications${qs({ unread: filter === 'unread' ? '1' : undefined, limit: 30, cursor: pageParam })}`,
      ),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const readAll = async () => {
    await post('/api/notifications/read-all');
    await client.invalidateQueries({ queryKey: ['notifications'] });
  };

  return (
    <Card
      title={t('notifications.title')}
      extra={
        <Button onClick={() => void readAll()} data-testid="notifications-page-read-all">
          {t('notifications.readAll')}
        </Button>
      }
    >
      <Segmented
        value={filter}
        onChange={(v) => setFilter(v as 'all' | 'unread')}
        options={[
          { value: 'all', label: t('notifications.all') },
          { value: 'unread', label: t('notifications.unread') },
        ]}
        style={{ marginBottom: 16 }}
        data-testid="notifications-filter"
      />
      <List<Notification>
        loading={list.isLoading}
        dataSource={rows}
        locale={{ emptyText: t('notifications.empty') }}
        data-testid="notifications-list"
        renderItem={(n) => (
          <List.Item
            key={n.id}
            data-testid="notification-row"
            data-read={n.readAt ? 'true' : 'false'}
            style={{ cursor: 'pointer' }}
            onClick={() => void open(n)}
          >
            <List.Item.Meta
              avatar={<Badge status={n.readAt ? 'default' : 'processing'} />}
              title={<Typography.Text strong={!n.readAt}>{n.title}</Typography.Text>}
              description={n.body}
            />
            <Typography.Text type="secondary">{formatTime(n.createdAt, tz)}</Typography.Text>
          </List.Item>
        )}
      />
      <LoadMore list={list} />
    </Card>
  );
}
