import { PlusOutlined } from '@ant-design/icons';
import { ApiKeyScope, PERMISSION_LABELS, type ApiKey } from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, DatePicker, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get, post, showFieldErrors } from '../../api/client';
import { useSession } from '../../auth';
import { formatTime } from '../../format';

type Created = ApiKey & { key: string };

export function ApiKeysPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [form] = Form.useForm();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => get<{ items: ApiKey[] }>('/api/api-keys').then((r) => r.items) });
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const lang = i18n.language === 'en' ? 'en' : 'zh';

  const create = async () => {
    const v = (await form.validateFields()) as { name: string; scopes: ApiKeyScope[]; expiresAt?: Dayjs };
    try {
      const key = await post<Created>('/api/api-keys', {
        name: v.name,
        scopes: v.scopes,
        expiresAt: v.expiresAt ? v.expiresAt.toISOString() : null,
      });
      setCreating(false);
      setCreated(key);
      form.resetFields();
      void client.invalidateQueries({ queryKey: ['api-keys'] });
    } catch (e) {
      showFieldErrors(form, e);
      message.error(e instanceof ApiError ? e.display : String(e));
    }
  };

  const revoke = async (k: ApiKey) => {
    await post(`/api/api-keys/${k.id}/revoke`);
    void client.invalidateQueries({ queryKey: ['api-keys'] });
  };

  const status = (k: ApiKey) => {
    if (k.revokedAt) return <Tag>{t('apiKeys.revoked')}</Tag>;
    if (k.expiresAt && new Date(k.expiresAt) < new Date()) return <Tag color="orange">{t('apiKeys.expired')}</Tag>;
    return <Tag color="green">{t('apiKeys.valid')}</Tag>;
  };

  return (
    <Card
      title={t('apiKeys.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="apikey-create">
          {t('common.create')}
        </Button>
      }
    >
      <Table<ApiKey>
        rowKey="id"
        loading={keys.isLoading}
        dataSource={keys.data ?? []}
        pagination={false}
        scroll={{ x: 900 }}
        data-testid="apikeys-table"
        columns={[
          { title: t('apiKeys.name'), dataIndex: 'name' },
          { title: t('apiKeys.prefix'), dataIndex: 'prefix', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          {
            title: t('apiKeys.scopes'),
            dataIndex: 'scopes',
            render: (s: ApiKeyScope[]) => s.map((x) => <Tag key={x}>{PERMISSION_LABELS[x][lang]}</Tag>),
          },
          { title: t('apiKeys.created'), dataIndex: 'createdAt', render: (v: string) => formatTime(v, tz) },
          {
            title: t('apiKeys.expires'),
            dataIndex: 'expiresAt',
            render: (v: string | null) => (v ? formatTime(v, tz) : t('apiKeys.never')),
          },
          {
            title: t('apiKeys.lastUsed'),
            dataIndex: 'lastUsedAt',
            render: (v: string | null) => (v ? formatTime(v, tz) : t('apiKeys.never')),
          },
          { title: t('common.status'), key: 'status', render: (_: unknown, k: ApiKey) => status(k) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, k: ApiKey) =>
              !k.revokedAt && (
                <Popconfirm title={t('apiKeys.revokeConfirm')} onConfirm={() => void revoke(k)}>
                  <a>{t('apiKeys.revoke')}</a>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('apiKeys.createTitle')}
        onOk={() => void create()}
        onCancel={() => setCreating(false)}
        okButtonProps={{ 'data-testid': 'apikey-submit' } as never}
      >
        <Form form={form} layout="vertical" initialValues={{ scopes: ['org.read'] }}>
          <Form.Item name="name" label={t('apiKeys.name')} rules={[{ required: true, max: 64 }]}>
            <Input data-testid="apikey-name" />
          </Form.Item>
          <Form.Item name="scopes" label={t('apiKeys.scopes')} rules={[{ required: true }]}>
            <Select mode="multiple" options={ApiKeyScope.options.map((s) => ({ value: s, label: PERMISSION_LABELS[s][lang] }))} />
          </Form.Item>
          <Form.Item name="expiresAt" label={t('apiKeys.expires')}>
            <DatePicker showTime style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={created !== null}
        title={t('apiKeys.createdTitle')}
        onOk={() => setCreated(null)}
        onCancel={() => setCreated(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okButtonProps={{ 'data-testid': 'apikey-done' } as never}
      >
        <Alert type="warning" showIcon message={t('apiKeys.onceWarning')} style={{ marginBottom: 16 }} />
        <Typography.Paragraph copyable={{ text: created?.key }} code data-testid="apikey-secret" style={{ wordBreak: 'break-all' }}>
          {created?.key}
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}
