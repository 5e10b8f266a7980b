import { BellOutlined } from '@ant-design/icons';
import type { Notification } from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Empty, List, Popover, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { get, post } from '../api/client';
import { useSession } from '../auth';
import { formatTime } from '../format';

/** How often the bell asks for the unread count (the app has no push channel). */
const POLL_MS = 30_000;

/** Marks a notification read and opens its link; shared by the bell and the notifications page. */
export function useOpenNotification() {
  const client = useQueryClient();
  const navigate = useNavigate();
  return async (n: Notification) => {
    if (!n.readAt) await post(`/api/notifications/${n.id}/read`);
    await client.invalidateQueries({ queryKey: ['notifications'] });
    if (n.link) navigate(n.link);
  };
}

/** The bell in the top bar: unread count, the latest notifications, read-all. */
export function NotificationBell() {
  const { t } = useTranslation();
  const { me } = useSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const open = useOpenNotification();
  const [visible, setVisible] = useState(false);
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const count = useQuery({
    queryKey: ['notifications', 'unread-count'],
    queryFn: () => get<{ count: number }>('/api/notifications/unread-count').then((r) => r.count),
    refetchInterval: POLL_MS,
  });
  const latest = useQuery({
    queryKey: ['notifications', 'latest'],
    queryFn: () => get<{ items: Notification[] }>('/api/notifications?limit=8').then((r) => r.items),
    enabled: visible,
  });
  const readAll = async () => {
    await post('/api/notifications/read-all');
    await client.invalidateQueries({ queryKey: ['notifications'] });
  };

  const content = (
    <div style={{ width: 360 }} data-testid="notification-panel">
      <List<Notification>
        size="small"
        loading={latest.isLoading}
        dataSource={latest.data ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} /> }}
        renderItem={(n) => (
          <List.Item
            key={n.id}
            data-testid="notification-item"
            data-read={n.readAt ? 'true' : 'false'}
            style={{ cursor: 'pointer', background: n.readAt ? undefined : '#f0f7ff', paddingInline: 8 }}
            onClick={() => {
              setVisible(false);
              void open(n);
            }}
          >
            <List.Item.Meta
              title={<Typography.Text strong={!n.readAt}>{n.title}</Typography.Text>}
              description={
                <>
                  {n.body && <div>{n.body}</div>}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatTime(n.createdAt, tz)}
                  </Typography.Text>
                </>
              }
            />
          </List.Item>
        )}
      />
      <Space style={{ width: '100%', justifyContent: 'space-between', marginTop: 8 }}>
        <Button size="small" type="link" disabled={!count.data} onClick={() => void readAll()} data-testid="notifications-read-all">
          {t('notifications.readAll')}
        </Button>
        <Button
          size="small"
          type="link"
          onClick={() => {
            setVisible(false);
            navigate('/notifications');
          }}
          data-testid="notifications-all"
        >
          {t('notifications.viewAll')}
        </Button>
      </Space>
    </div>
  );

  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      title={t('notifications.title')}
      content={content}
      open={visible}
      onOpenChange={(v) => {
        setVisible(v);
        if (v) void client.invalidateQueries({ queryKey: ['notifications'] });
      }}
    >
      <Badge count={count.data ?? 0} size="small" overflowCount={99} data-testid="notification-count">
        <Button type="text" shape="circle" icon={<BellOutlined />} aria-label={t('notifications.title')} data-testid="notification-bell" />
      </Badge>
    </Popover>
  );
}
