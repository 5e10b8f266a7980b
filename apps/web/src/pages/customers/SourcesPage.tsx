import { PlusOutlined } from '@ant-design/icons';
import { SourceKind, type Source } from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, get, post, showFieldErrors } from '../../api/client';
import { useSession } from '../../auth';
import { buildTree, unitName, useOrgUnits, type TreeOption, type UnitNode } from '../../components/orgUnits';
import { formatTime } from '../../format';
import { LeadMappingModal } from './LeadMappingModal';

interface WithKey {
  source: Source;
  writeKey: string;
}

/**
 * The snippet a website pastes (the asynchronous loader of packages/sdk/snippet.html): calls made before the
 * script arrives are queued. The host is this console's origin, where the script and the tracking API live.
 */
function sdkSnippet(writeKey: string, host = window.location.origin) {
  return [
    '<script>',
    '  (function (w, d) {',
    '    var fc = (w.forecourt = w.forecourt || []);',
    '    if (fc.initialized || fc.invoked) return;',
    '    fc.invoked = true;',
    "    'load page track identify alias group reset flush'.split(' ').forEach(function (m) {",
    '      fc[m] = function () {',
    '        fc.push([m, [].slice.call(arguments), new Date().toISOString()]);',
    "        if (m !== 'load') return;",
    "        var s = d.createElement('script');",
    '        s.async = true;',
    `        s.src = '${host}/sdk/forecourt.js';`,
    "        d.getElementsByTagName('head')[0].appendChild(s);",
    '      };',
    '    });',
    '  })(window, document);',
    `  forecourt.load('${writeKey}', { host: '${host}' });`,
    '  forecourt.page();',
    '</script>',
  ].join('\n');
}

function rejectedCount(counters: Record<string, number>) {
  return Object.entries(counters)
    .filter(([k]) => k === 'rejected' || k.startsWith('rejected:'))
    .reduce((sum, [, v]) => sum + v, 0);
}

export function SourcesPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<WithKey | null>(null);
  const [mappingOf, setMappingOf] = useState<Source | null>(null);
  const [form] = Form.useForm();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const sources = useQuery({ queryKey: ['sources'], queryFn: () => get<{ items: Source[] }>('/api/sources').then((r) => r.items) });
  const units = useOrgUnits(false);
  const toOption = (n: UnitNode): TreeOption => ({
    value: n.unit.id,
    title: `${n.unit.code} ${unitName(n.unit, i18n.language)}`,
    children: n.children.map(toOption),
  });
  const unitTree = buildTree(units.data ?? []).map(toOption);

  const fail = (e: unknown) => message.error(e instanceof ApiError ? e.display : String(e));
  const refresh = () => void client.invalidateQueries({ queryKey: ['sources'] });

  const create = async () => {
    const v = (await form.validateFields()) as { name: string; kind: SourceKind; orgUnitId?: string };
    try {
      const answer = await post<WithKey>('/api/sources', { name: v.name, kind: v.kind, orgUnitId: v.orgUnitId ?? null });
      setCreating(false);
      setShown(answer);
      form.resetFields();
      refresh();
    } catch (e) {
      showFieldErrors(form, e);
      fail(e);
    }
  };

  const rotate = async (s: Source) => {
    try {
      setShown(await post<WithKey>(`/api/sources/${s.id}/rotate-key`, { graceHours: 24 }));
      refresh();
    } catch (e) {
      fail(e);
    }
  };

  const revoke = async (s: Source) => {
    try {
      await post(`/api/sources/${s.id}/revoke`, { version: s.version });
    } catch (e) {
      fail(e);
    }
    refresh();
  };

  return (
    <Card
      title={t('sources.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="source-create">
          {t('common.create')}
        </Button>
      }
    >
      <Table<Source>
        rowKey="id"
        loading={sources.isLoading}
        dataSource={sources.data ?? []}
        pagination={false}
        scroll={{ x: 1000 }}
        data-testid="sources-table"
        columns={[
          { title: t('sources.name'), dataIndex: 'name' },
          { title: t('sources.kind'), dataIndex: 'kind', render: (k: SourceKind) => t(`sourceKind.${k}`) },
          { title: t('sources.store'), dataIndex: 'orgUnitName', render: (v: string | null) => v ?? '—' },
          {
            title: t('sources.prefix'),
            dataIndex: 'keyPrefixes',
            render: (p: Source['keyPrefixes']) =>
              p.length
                ? p.map((k) => (
                    <Typography.Text code key={k.prefix}>
                      {k.prefix}
                    </Typography.Text>
                  ))
                : '—',
          },
          { title: t('sources.received'), key: 'received', align: 'right', render: (_: unknown, s: Source) => s.counters.received ?? 0 },
          { title: t('sources.accepted'), key: 'accepted', align: 'right', render: (_: unknown, s: Source) => s.counters.accepted ?? 0 },
          {
            title: t('sources.rejected'),
            key: 'rejected',
            align: 'right',
            render: (_: unknown, s: Source) => {
              const n = rejectedCount(s.counters);
              return n ? <Typography.Text type="danger">{n}</Typography.Text> : 0;
            },
          },
          { title: t('apiKeys.created'), dataIndex: 'createdAt', render: (v: string) => formatTime(v, tz) },
          {
            title: t('common.status'),
            dataIndex: 'active',
            render: (a: boolean) => (a ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('sources.revoked')}</Tag>),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, s: Source) => (
              <Space>
                <Link to={`/customers/sources/${s.id}/debugger`} data-testid="source-debugger">
                  {t('sources.debugger')}
                </Link>
                {s.kind === 'lead_platform' && (
                  <a data-testid="source-mapping" onClick={() => setMappingOf(s)}>
                    {t('leadMapping.action')}
                  </a>
                )}
                {s.active && (
                  <Popconfirm title={t('sources.rotateConfirm')} onConfirm={() => void rotate(s)}>
                    <a data-testid="source-rotate">{t('sources.rotate')}</a>
                  </Popconfirm>
                )}
                {s.active && (
                  <Popconfirm title={t('sources.revokeConfirm')} onConfirm={() => void revoke(s)}>
                    <a data-testid="source-revoke">{t('sources.revoke')}</a>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('sources.createTitle')}
        onOk={() => void create()}
        onCancel={() => setCreating(false)}
        okButtonProps={{ 'data-testid': 'source-submit' } as never}
      >
        <Form form={form} layout="vertical" initialValues={{ kind: 'website' }}>
          <Form.Item name="name" label={t('sources.name')} rules={[{ required: true, max: 80 }]}>
            <Input data-testid="source-name" />
          </Form.Item>
          <Form.Item name="kind" label={t('sources.kind')} rules={[{ required: true }]}>
            <Select data-testid="source-kind" options={SourceKind.options.map((k) => ({ value: k, label: t(`sourceKind.${k}`) }))} />
          </Form.Item>
          <Form.Item name="orgUnitId" label={t('sources.store')} extra={t('sources.storeHint')}>
            <TreeSelect allowClear showSearch treeNodeFilterProp="title" treeData={unitTree} treeDefaultExpandAll={false} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={shown !== null}
        title={`${t('sources.createdTitle')} · ${shown?.source.name ?? ''}`}
        onOk={() => setShown(null)}
        onCancel={() => setShown(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okButtonProps={{ 'data-testid': 'source-done' } as never}
        width={640}
      >
        <Alert type="warning" showIcon message={t('sources.onceWarning')} style={{ marginBottom: 16 }} />
        <Typography.Paragraph copyable={{ text: shown?.writeKey }} code data-testid="source-writekey" style={{ wordBreak: 'break-all' }}>
          {shown?.writeKey}
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary">{t('sources.snippetHint')}</Typography.Paragraph>
        <Typography.Paragraph copyable={{ text: shown ? sdkSnippet(shown.writeKey) : '' }}>
          <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-testid="source-snippet">
            {shown ? sdkSnippet(shown.writeKey) : ''}
          </pre>
        </Typography.Paragraph>
      </Modal>
      {mappingOf && <LeadMappingModal source={mappingOf} onClose={() => setMappingOf(null)} />}
    </Card>
  );
}
