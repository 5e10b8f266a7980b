import { PlusOutlined } from '@ant-design/icons';
import {
  WebhookEventType,
  type CreatedWebhook,
  type Webhook,
  type WebhookDelivery,
  type WecomMessage,
  type WecomSettings,
} from '@forecourt/contracts';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Drawer, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError, api, get, patch, post, put, qs, showFieldErrors } from '../../api/client';
import { useSession } from '../../auth';
import { LoadMore } from '../../components/LoadMore';
import { formatTime } from '../../format';

const STATUS_COLOR: Record<WebhookDelivery['status'], string> = {
  pending: 'processing',
  failed: 'warning',
  delivered: 'success',
  dead: 'error',
};

/** i18n keys cannot hold dots: lead.created → lead_created. */
const eventKey = (type: string) => `webhooks.events.${type.replace(/\./g, '_')}`;

/** Webhook 与企业微信 / Webhooks and WeCom: outbound webhooks, their delivery logs and dead letters, and the WeCom adapter. */
export function WebhooksPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  /** The secret dialog shows a rotated secret rather than a new webhook's. */
  const [rotated, setRotated] = useState(false);
  const [logOf, setLogOf] = useState<Webhook | null>(null);
  const [form] = Form.useForm();
  const hooks = useQuery({ queryKey: ['webhooks'], queryFn: () => get<{ items: Webhook[] }>('/api/webhooks').then((r) => r.items) });
  const [params, setParams] = useSearchParams();
  // A dead-letter notification links here with ?webhook=<id>: open that webhook's delivery log.
  const linked = params.get('webhook');
  useEffect(() => {
    const hook = linked ? hooks.data?.find((w) => w.id === linked) : undefined;
    if (hook) setLogOf(hook);
  }, [linked, hooks.data]);
  const closeLog = () => {
    setLogOf(null);
    if (linked) setParams({}, { replace: true });
  };
  const eventLabel = (type: string) => (type === 'webhook.ping' ? t('webhooks.events.webhook_ping') : t(eventKey(type)));
  const fail = (e: unknown) => message.error(e instanceof ApiError ? e.display : String(e));

  const create = async () => {
    const v = (await form.validateFields()) as { name: string; url: string; eventTypes: WebhookEventType[] };
    try {
      const hook = await post<CreatedWebhook>('/api/webhooks', v);
      setCreating(false);
      setRotated(false);
      setCreated(hook);
      form.resetFields();
      void client.invalidateQueries({ queryKey: ['webhooks'] });
    } catch (e) {
      showFieldErrors(form, e);
      fail(e);
    }
  };
  const setActive = async (w: Webhook, active: boolean) => {
    try {
      await patch(`/api/webhooks/${w.id}`, { version: w.version, active });
    } catch (e) {
      fail(e);
    }
    void client.invalidateQueries({ queryKey: ['webhooks'] });
  };
  const remove = async (w: Webhook) => {
    await api('DELETE', `/api/webhooks/${w.id}`);
    void client.invalidateQueries({ queryKey: ['webhooks'] });
  };
  const rotate = async (w: Webhook) => {
    try {
      const hook = await post<CreatedWebhook>(`/api/webhooks/${w.id}/rotate-secret`, { version: w.version });
      setRotated(true);
      setCreated(hook);
      void client.invalidateQueries({ queryKey: ['webhooks'] });
    } catch (e) {
      fail(e);
    }
  };
  const test = async (w: Webhook) => {
    try {
      await post(`/api/webhooks/${w.id}/test`);
      message.success(t('webhooks.testQueued'));
      void client.invalidateQueries({ queryKey: ['webhook-deliveries', w.id] });
    } catch (e) {
      fail(e);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={t('webhooks.title')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="webhook-create">
            {t('common.create')}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary">{t('webhooks.hint')}</Typography.Paragraph>
        <Table<Webhook>
          rowKey="id"
          loading={hooks.isLoading}
          dataSource={hooks.data ?? []}
          pagination={false}
          scroll={{ x: 1000 }}
          locale={{ emptyText: t('webhooks.empty') }}
          data-testid="webhooks-table"
          onRow={() => ({ 'data-testid': 'webhook-row' }) as never}
          columns={[
            { title: t('webhooks.name'), dataIndex: 'name' },
            { title: t('webhooks.url'), dataIndex: 'url', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            {
              title: t('webhooks.eventTypes'),
              dataIndex: 'eventTypes',
              render: (v: string[]) => v.map((e) => <Tag key={e}>{eventLabel(e)}</Tag>),
            },
            {
              title: t('common.active'),
              dataIndex: 'active',
              render: (v: boolean, w) => <Switch size="small" checked={v} onChange={(next) => void setActive(w, next)} />,
            },
            {
              title: t('webhooks.dead'),
              dataIndex: 'deadCount',
              render: (n: number) => (n > 0 ? <Tag color="error">{n}</Tag> : <Typography.Text type="secondary">0</Typography.Text>),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, w) => (
                <Space>
                  <a onClick={() => setLogOf(w)} data-testid="webhook-deliveries">
                    {t('webhooks.deliveries')}
                  </a>
                  <a onClick={() => void test(w)} data-testid="webhook-test">
                    {t('webhooks.sendTest')}
                  </a>
                  <Popconfirm
                    title={t('webhooks.rotateConfirm')}
                    onConfirm={() => void rotate(w)}
                    okButtonProps={{ 'data-testid': 'webhook-rotate-ok' } as never}
                  >
                    <a data-testid="webhook-rotate">{t('webhooks.rotate')}</a>
                  </Popconfirm>
                  <Popconfirm title={t('webhooks.deleteConfirm')} onConfirm={() => void remove(w)}>
                    <a>{t('webhooks.delete')}</a>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <WecomCard />
      <Modal
        open={creating}
        title={t('webhooks.createTitle')}
        onOk={() => void create()}
        onCancel={() => setCreating(false)}
        okButtonProps={{ 'data-testid': 'webhook-submit' } as never}
      >
        <Form form={form} layout="vertical" initialValues={{ eventTypes: ['lead.created'] }}>
          <Form.Item name="name" label={t('webhooks.name')} rules={[{ required: true, max: 80 }]}>
            <Input data-testid="webhook-name" />
          </Form.Item>
          <Form.Item name="url" label={t('webhooks.url')} rules={[{ required: true, max: 2000 }]} extra={t('webhooks.urlHint')}>
            <Input placeholder="https://gateway.example.com/forecourt" data-testid="webhook-url" />
          </Form.Item>
          <Form.Item name="eventTypes" label={t('webhooks.eventTypes')} rules={[{ required: true }]}>
            <Select mode="multiple" options={WebhookEventType.options.map((e) => ({ value: e, label: eventLabel(e) }))} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={created !== null}
        title={rotated ? t('webhooks.rotatedTitle') : t('webhooks.createdTitle')}
        onOk={() => setCreated(null)}
        onCancel={() => setCreated(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okButtonProps={{ 'data-testid': 'webhook-done' } as never}
      >
        <Alert type="warning" showIcon message={t('webhooks.secretOnce')} style={{ marginBottom: 16 }} />
        <Typography.Paragraph copyable={{ text: created?.secret }} code data-testid="webhook-secret" style={{ wordBreak: 'break-all' }}>
          {created?.secret}
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary">{t('webhooks.signatureHint')}</Typography.Paragraph>
      </Modal>
      <Drawer
        open={logOf !== null}
        width={960}
        title={logOf ? t('webhooks.deliveriesOf', { name: logOf.name }) : ''}
        onClose={closeLog}
        destroyOnClose
      >
        {logOf && <DeliveryLog webhook={logOf} eventLabel={eventLabel} />}
      </Drawer>
    </Space>
  );
}

function DeliveryLog({ webhook, eventLabel }: { webhook: Webhook; eventLabel: (type: string) => string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [status, setStatus] = useState<WebhookDelivery['status'] | undefined>(undefined);
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const list = useInfiniteQuery({
    queryKey: ['webhook-deliveries', webhook.id, status],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: WebhookDelivery[]; nextCursor: string | null }>(
        `/api/webhooks/${webhook.id}/deliveries${qs({ status, limit: 30, cursor: pageParam })}`,
      ),
    getNextPageParam: (last) => last.nextCursor,
    // While something is still being tried, watch it move.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((d) => d.status === 'pending')) ? 2000 : false),
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const retry = async (d: WebhookDelivery) => {
    try {
      await post(`/api/webhook-deliveries/${d.id}/retry`);
      message.success(t('webhooks.retried'));
    } catch (e) {
      message.error(e instanceof ApiError ? e.display : String(e));
    }
    void client.invalidateQueries({ queryKey: ['webhook-deliveries', webhook.id] });
    void client.invalidateQueries({ queryKey: ['webhooks'] });
  };

  return (
    <>
      <Space style={{ marginBottom: 16 }}>
        <Select
          allowClear
          style={{ width: 200 }}
          placeholder={t('webhooks.filterStatus')}
          value={status}
          onChange={(v) => setStatus(v)}
          options={(['pending', 'failed', 'delivered', 'dead'] as const).map((s) => ({ value: s, label: t(`webhooks.status.${s}`) }))}
          data-testid="delivery-status-filter"
        />
        <Button onClick={() => void list.refetch()} data-testid="deliveries-reload">
          {t('common.reload')}
        </Button>
      </Space>
      <Table<WebhookDelivery>
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: t('webhooks.noDeliveries') }}
        data-testid="deliveries-table"
        onRow={(d) => ({ 'data-testid': 'delivery-row', 'data-status': d.status }) as never}
        columns={[
          { title: t('webhooks.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatTime(v, tz) },
          { title: t('webhooks.event'), dataIndex: 'eventType', render: (v: string) => eventLabel(v) },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (v: WebhookDelivery['status']) => (
              <Tag color={STATUS_COLOR[v]} data-testid="delivery-status">
                {t(`webhooks.status.${v}`)}
              </Tag>
            ),
          },
          { title: t('webhooks.attempts'), dataIndex: 'attempts' },
          {
            title: t('webhooks.lastResult'),
            key: 'last',
            render: (_: unknown, d) => d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '—'),
          },
          { title: t('webhooks.nextAttempt'), dataIndex: 'nextAttemptAt', render: (v: string | null) => formatTime(v, tz) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, d) =>
              (d.status === 'dead' || d.status === 'failed') && (
                <a onClick={() => void retry(d)} data-testid="delivery-retry">
                  {t('webhooks.retry')}
                </a>
              ),
          },
        ]}
      />
      <LoadMore list={list} />
    </>
  );
}

/** The WeCom app-message adapter: which notification kinds go to WeCom, and the outbox (sandbox: nothing leaves). */
function WecomCard() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const settings = useQuery({ queryKey: ['wecom-settings'], queryFn: () => get<WecomSettings>('/api/settings/wecom') });
  const outbox = useInfiniteQuery({
    queryKey: ['wecom-messages'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: WecomMessage[]; nextCursor: string | null }>(`/api/wecom-messages${qs({ limit: 20, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const [kinds, setKinds] = useState<string[] | null>(null);
  const shown = kinds ?? settings.data?.kinds ?? [];
  const save = async () => {
    if (!settings.data) return;
    try {
      await put('/api/settings/wecom', { version: settings.data.version, kinds: shown });
      message.success(t('common.saved'));
      setKinds(null);
    } catch (e) {
      message.error(e instanceof ApiError ? e.display : String(e));
    }
    void client.invalidateQueries({ queryKey: ['wecom-settings'] });
  };
  const rows = outbox.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card title={t('webhooks.wecom.title')}>
      {settings.data?.mode === 'sandbox' && (
        <Alert type="info" showIcon message={t('webhooks.wecom.sandbox')} style={{ marginBottom: 16 }} />
      )}
      <Space.Compact style={{ width: '100%', marginBottom: 16 }}>
        <Select
          mode="tags"
          style={{ width: '100%' }}
          value={shown}
          onChange={(v: string[]) => setKinds(v)}
          placeholder={t('webhooks.wecom.kindsPlaceholder')}
          options={['lead.assigned', 'lead.sla_warning', 'lead.sla_breached', 'lead.lost_requested', 'task.overdue'].map((k) => ({
            value: k,
            label: k,
          }))}
          data-testid="wecom-kinds"
        />
        <Button type="primary" onClick={() => void save()} disabled={kinds === null} data-testid="wecom-save">
          {t('common.save')}
        </Button>
      </Space.Compact>
      <Table<WecomMessage>
        rowKey="id"
        size="small"
        loading={outbox.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 800 }}
        locale={{ emptyText: t('webhooks.wecom.empty') }}
        data-testid="wecom-outbox"
        columns={[
          { title: t('webhooks.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatTime(v, tz) },
          { title: t('webhooks.wecom.to'), dataIndex: 'toUserIds', render: (v: string[]) => v.join(', ') },
          {
            title: t('webhooks.wecom.text'),
            dataIndex: 'text',
            render: (v: string) => <span style={{ whiteSpace: 'pre-line' }}>{v}</span>,
          },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (v: WecomMessage['status'], m) => (
              <Tag color={v === 'sent' ? 'success' : v === 'failed' ? 'error' : 'processing'}>
                {t(`webhooks.wecom.status.${v}`)}
                {m.mode ? ` · ${m.mode}` : ''}
              </Tag>
            ),
          },
        ]}
      />
      <LoadMore list={outbox} />
    </Card>
  );
}
