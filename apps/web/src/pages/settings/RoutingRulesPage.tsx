import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import {
  RoutingStrategy,
  type CreateRoutingRule,
  type LeadInput,
  type RoutingConditions,
  type RoutingPreview,
  type RoutingRule,
  type Source,
} from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, get, post, put } from '../../api/client';
import { unitName, useOrgUnits } from '../../components/orgUnits';
import { setFieldErrors } from '../leads/shared';

interface RuleValues {
  name: string;
  active: boolean;
  sourceIds?: string[];
  provinces?: string[];
  cities?: string[];
  brands?: string[];
  series?: string[];
  condition?: 'new' | 'used' | 'any';
  hoursFrom?: string;
  hoursTo?: string;
  storeId?: string | null;
  strategy: RoutingStrategy;
  claimTimeoutMinutes: number;
}

interface PreviewValues {
  sourceId: string;
  name?: string;
  phone?: string;
  province?: string;
  city?: string;
  brand?: string;
  series?: string;
  model?: string;
  condition: 'new' | 'used';
  preferredStoreCode?: string;
}

const list = (v: string[] | undefined) => (v && v.length > 0 ? v.map((x) => x.trim()).filter(Boolean) : undefined);
const text = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);

function toBody(v: RuleValues): CreateRoutingRule {
  const conditions: RoutingConditions = {
    sourceIds: list(v.sourceIds),
    provinces: list(v.provinces),
    cities: list(v.cities),
    brands: list(v.brands),
    series: list(v.series),
    condition: v.condition && v.condition !== 'any' ? v.condition : undefined,
    hours: v.hoursFrom && v.hoursTo ? { from: v.hoursFrom, to: v.hoursTo } : undefined,
  };
  return {
    name: v.name.trim(),
    active: v.active,
    conditions: Object.fromEntries(Object.entries(conditions).filter(([, x]) => x !== undefined)),
    storeId: v.storeId ?? null,
    strategy: v.strategy,
    claimTimeoutMinutes: v.claimTimeoutMinutes,
  };
}

function toValues(r: RoutingRule): RuleValues {
  const c = r.conditions;
  return {
    name: r.name,
    active: r.active,
    sourceIds: c.sourceIds,
    provinces: c.provinces,
    cities: c.cities,
    brands: c.brands,
    series: c.series,
    condition: c.condition ?? 'any',
    hoursFrom: c.hours?.from,
    hoursTo: c.hours?.to,
    storeId: r.storeId,
    strategy: r.strategy,
    claimTimeoutMinutes: r.claimTimeoutMinutes,
  };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** 线索分配规则: ordered rules (the first active match picks the store), the store's strategy, and "try this lead". */
export function RoutingRulesPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const units = useOrgUnits(false);
  const stores = (units.data ?? []).filter((u) => u.type === 'store');
  const [editing, setEditing] = useState<RoutingRule | 'new' | null>(null);
  const [form] = Form.useForm<RuleValues>();
  const [previewForm] = Form.useForm<PreviewValues>();
  const [preview, setPreview] = useState<RoutingPreview | null>(null);
  const [busy, setBusy] = useState(false);

  const rules = useQuery({
    queryKey: ['routing-rules'],
    queryFn: () => get<{ items: RoutingRule[] }>('/api/routing-rules').then((r) => r.items),
  });
  const sources = useQuery({ queryKey: ['sources'], queryFn: () => get<{ items: Source[] }>('/api/sources').then((r) => r.items) });
  const sourceName = (id: string) => sources.data?.find((s) => s.id === id)?.name ?? id.slice(0, 8);
  const fail = (e: unknown) => message.error(e instanceof ApiError ? e.display : String(e));
  const reload = () => void client.invalidateQueries({ queryKey: ['routing-rules'] });

  const open = (rule: RoutingRule | 'new') => {
    setEditing(rule);
    form.setFieldsValue(
      rule === 'new'
        ? { name: '', active: true, strategy: 'round_robin', claimTimeoutMinutes: 10, condition: 'any', storeId: null }
        : toValues(rule),
    );
  };
  const save = async () => {
    let v: RuleValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    try {
      if (editing === 'new') await post<RoutingRule>('/api/routing-rules', toBody(v));
      else if (editing) await put<RoutingRule>(`/api/routing-rules/${editing.id}`, { ...toBody(v), version: editing.version });
      message.success(t('common.saved'));
      setEditing(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        message.warning(t('common.conflict'));
        setEditing(null);
      } else if (!setFieldErrors(form, e, [['name'], ['storeId'], ['hoursFrom'], ['claimTimeoutMinutes']])) fail(e);
    } finally {
      setBusy(false);
      reload();
    }
  };
  const remove = async (r: RoutingRule) => {
    try {
      await api('DELETE', `/api/routing-rules/${r.id}`);
      message.success(t('routing.deleted', { name: r.name }));
    } catch (e) {
      fail(e);
    }
    reload();
  };
  const move = async (i: number, by: -1 | 1) => {
    const ids = (rules.data ?? []).map((r) => r.id);
    [ids[i], ids[i + by]] = [ids[i + by]!, ids[i]!];
    try {
      client.setQueryData(['routing-rules'], (await post<{ items: RoutingRule[] }>('/api/routing-rules/reorder', { ids })).items);
    } catch (e) {
      fail(e);
      reload();
    }
  };
  const toggle = async (r: RoutingRule, active: boolean) => {
    try {
      await put<RoutingRule>(`/api/routing-rules/${r.id}`, { ...toBody({ ...toValues(r), active }), version: r.version });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) message.warning(t('common.conflict'));
      else fail(e);
    }
    reload();
  };

  const runPreview = async (v: PreviewValues) => {
    const lead: LeadInput = {
      customer: { name: text(v.name), phone: text(v.phone), province: text(v.province), city: text(v.city) },
      vehicle: { brand: text(v.brand), series: text(v.series), model: text(v.model), condition: v.condition },
      preferredStoreCode: text(v.preferredStoreCode),
      priority: 'normal',
    };
    try {
      setPreview(await post<RoutingPreview>('/api/routing-rules/preview', { sourceId: v.sourceId, lead }));
    } catch (e) {
      setPreview(null);
      if (!setFieldErrors(previewForm, e, [['sourceId'], ['phone'], ['city'], ['preferredStoreCode']], ['sourceId'])) fail(e);
    }
  };

  const summary = (c: RoutingConditions) => {
    const parts: string[] = [];
    if (c.sourceIds?.length) parts.push(`${t('routing.sources')}: ${c.sourceIds.map(sourceName).join('、')}`);
    if (c.provinces?.length) parts.push(`${t('routing.provinces')}: ${c.provinces.join('、')}`);
    if (c.cities?.length) parts.push(`${t('routing.cities')}: ${c.cities.join('、')}`);
    if (c.brands?.length) parts.push(`${t('routing.brands')}: ${c.brands.join('、')}`);
    if (c.series?.length) parts.push(`${t('routing.series')}: ${c.series.join('、')}`);
    if (c.condition) parts.push(t(`leads.${c.condition}`));
    if (c.hours) parts.push(`${c.hours.from}–${c.hours.to}`);
    return parts.length ? parts.join('；') : t('routing.everything');
  };
  const rows = rules.data ?? [];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={t('routing.title')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="rule-create">
            {t('routing.add')}
          </Button>
        }
      >
        <Alert type="info" showIcon message={t('routing.intro')} style={{ marginBottom: 16 }} />
        <Table<RoutingRule>
          rowKey="id"
          size="small"
          loading={rules.isLoading}
          pagination={false}
          dataSource={rows}
          scroll={{ x: 900 }}
          locale={{ emptyText: t('routing.empty') }}
          data-testid="rules-table"
          onRow={() => ({ 'data-testid': 'rule-row' }) as never}
          columns={[
            {
              title: '#',
              key: 'order',
              width: 90,
              render: (_: unknown, _r, i) => (
                <Space size={2}>
                  <span>{i + 1}</span>
                  <Button
                    size="small"
                    type="text"
                    icon={<ArrowUpOutlined />}
                    disabled={i === 0}
                    onClick={() => void move(i, -1)}
                    aria-label={t('routing.up')}
                  />
                  <Button
                    size="small"
                    type="text"
                    icon={<ArrowDownOutlined />}
                    disabled={i === rows.length - 1}
                    onClick={() => void move(i, 1)}
                    aria-label={t('routing.down')}
                  />
                </Space>
              ),
            },
            { title: t('routing.name'), dataIndex: 'name', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
            {
              title: t('common.status'),
              dataIndex: 'active',
              width: 80,
              render: (v: boolean, r) => <Switch size="small" checked={v} onChange={(x) => void toggle(r, x)} data-testid="rule-active" />,
            },
            { title: t('routing.conditions'), dataIndex: 'conditions', render: (c: RoutingConditions) => summary(c) },
            {
              title: t('routing.store'),
              dataIndex: 'storeName',
              render: (v: string | null) => v ?? <Tag>{t('routing.storeFromLead')}</Tag>,
            },
            {
              title: t('routing.strategy'),
              key: 'strategy',
              render: (_: unknown, r) =>
                r.strategy === 'claim_pool'
                  ? `${t(`routing.strategies.${r.strategy}`)} · ${t('routing.minutes', { count: r.claimTimeoutMinutes })}`
                  : t(`routing.strategies.${r.strategy}`),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 120,
              render: (_: unknown, r) => (
                <Space>
                  <Button
                    size="small"
                    type="text"
                    icon={<EditOutlined />}
                    onClick={() => open(r)}
                    aria-label={t('common.edit')}
                    data-testid="rule-edit"
                  />
                  <Popconfirm title={t('routing.deleteConfirm', { name: r.name })} onConfirm={() => void remove(r)}>
                    <Button
                      size="small"
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('routing.delete')}
                      data-testid="rule-delete"
                    />
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>

      <Card title={t('routing.preview')} size="small" data-testid="rule-preview">
        <Typography.Paragraph type="secondary">{t('routing.previewIntro')}</Typography.Paragraph>
        <Form<PreviewValues> form={previewForm} layout="vertical" initialValues={{ condition: 'new' }} onFinish={(v) => void runPreview(v)}>
          <Space wrap align="start">
            <Form.Item name="sourceId" label={t('leads.field.source')} rules={[{ required: true, message: t('routing.sourceRequired') }]}>
              <Select
                showSearch
                optionFilterProp="label"
                style={{ width: 220 }}
                loading={sources.isLoading}
                options={(sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
                data-testid="preview-source"
              />
            </Form.Item>
            <Form.Item name="phone" label={t('leads.create.phone')}>
              <Input style={{ width: 160 }} data-testid="preview-phone" />
            </Form.Item>
            <Form.Item name="province" label={t('routing.province')}>
              <Input style={{ width: 120 }} data-testid="preview-province" />
            </Form.Item>
            <Form.Item name="city" label={t('leads.create.city')}>
              <Input style={{ width: 120 }} data-testid="preview-city" />
            </Form.Item>
            <Form.Item name="brand" label={t('leads.create.brand')}>
              <Input style={{ width: 120 }} />
            </Form.Item>
            <Form.Item name="series" label={t('leads.create.series')}>
              <Input style={{ width: 120 }} data-testid="preview-series" />
            </Form.Item>
            <Form.Item name="condition" label={t('leads.create.condition')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'new', label: t('leads.new') },
                  { value: 'used', label: t('leads.used') },
                ]}
              />
            </Form.Item>
            <Form.Item name="preferredStoreCode" label={t('routing.preferredStore')}>
              <Input style={{ width: 120 }} placeholder="SHA01" />
            </Form.Item>
          </Space>
          <Button htmlType="submit" type="primary" data-testid="preview-run">
            {t('routing.tryIt')}
          </Button>
        </Form>
        {preview && (
          <Descriptions size="small" bordered column={1} style={{ marginTop: 16, maxWidth: 640 }} data-testid="preview-result">
            <Descriptions.Item label={t('routing.rule')}>
              <span data-testid="preview-rule">{preview.rule?.name ?? t('routing.noRule')}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('routing.store')}>
              <span data-testid="preview-store">{preview.store?.name ?? t('leads.unrouted')}</span>{' '}
              <Tag>{t(`routing.storeReason.${preview.storeReason}`)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('routing.strategy')}>
              {preview.strategy ? t(`routing.strategies.${preview.strategy}`) : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('routing.consultant')}>
              <span data-testid="preview-consultant">{preview.consultant?.name ?? '—'}</span>{' '}
              <Tag>{t(`leads.assignReason.${preview.reason}`, { defaultValue: preview.reason })}</Tag>
            </Descriptions.Item>
            {preview.inquiryOn && (
              <Descriptions.Item label={t('routing.inquiryOn')}>
                <a href={`/leads/${preview.inquiryOn}`}>{t('routing.inquiryOnHint')}</a>
              </Descriptions.Item>
            )}
          </Descriptions>
        )}
      </Card>

      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('routing.add') : t('routing.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => void save()}
        confirmLoading={busy}
        okButtonProps={{ 'data-testid': 'rule-save' } as never}
        width={720}
        forceRender
      >
        <Form<RuleValues> form={form} layout="vertical">
          <Space wrap align="start">
            <Form.Item name="name" label={t('routing.name')} rules={[{ required: true, whitespace: true, max: 80 }]}>
              <Input style={{ width: 300 }} data-testid="rule-name" />
            </Form.Item>
            <Form.Item name="active" label={t('common.status')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Space>
          <Typography.Text strong>{t('routing.conditions')}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('routing.conditionsHint')}
          </Typography.Paragraph>
          <Form.Item name="sourceIds" label={t('routing.sources')}>
            <Select
              mode="multiple"
              allowClear
              optionFilterProp="label"
              options={(sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              data-testid="rule-sources"
            />
          </Form.Item>
          <Space wrap align="start">
            <Form.Item name="provinces" label={t('routing.provinces')}>
              <Select mode="tags" style={{ width: 200 }} open={false} tokenSeparators={[',', '，', ' ']} data-testid="rule-provinces" />
            </Form.Item>
            <Form.Item name="cities" label={t('routing.cities')}>
              <Select mode="tags" style={{ width: 200 }} open={false} tokenSeparators={[',', '，', ' ']} data-testid="rule-cities" />
            </Form.Item>
            <Form.Item name="brands" label={t('routing.brands')}>
              <Select mode="tags" style={{ width: 200 }} open={false} tokenSeparators={[',', '，']} />
            </Form.Item>
            <Form.Item name="series" label={t('routing.series')}>
              <Select mode="tags" style={{ width: 200 }} open={false} tokenSeparators={[',', '，']} data-testid="rule-series" />
            </Form.Item>
          </Space>
          <Space wrap align="start">
            <Form.Item name="condition" label={t('leads.create.condition')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'any', label: t('common.all') },
                  { value: 'new', label: t('leads.new') },
                  { value: 'used', label: t('leads.used') },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="hoursFrom"
              label={t('routing.hoursFrom')}
              rules={[{ pattern: HHMM, message: t('routing.hhmm') }]}
              dependencies={['hoursTo']}
            >
              <Input style={{ width: 100 }} placeholder="18:00" />
            </Form.Item>
            <Form.Item
              name="hoursTo"
              label={t('routing.hoursTo')}
              dependencies={['hoursFrom']}
              rules={[
                { pattern: HHMM, message: t('routing.hhmm') },
                ({ getFieldValue }) => ({
                  validator: (_, v) =>
                    !!v === !!getFieldValue('hoursFrom') ? Promise.resolve() : Promise.reject(new Error(t('routing.hoursBoth'))),
                }),
              ]}
            >
              <Input style={{ width: 100 }} placeholder="09:00" />
            </Form.Item>
          </Space>
          <Typography.Text strong>{t('routing.target')}</Typography.Text>
          <Space wrap align="start" style={{ marginTop: 8 }}>
            <Form.Item name="storeId" label={t('routing.store')} extra={t('routing.storeHint')}>
              <Select
                allowClear
                showSearch
                optionFilterProp="label"
                style={{ width: 240 }}
                placeholder={t('routing.storeFromLead')}
                options={stores.map((s) => ({ value: s.id, label: unitName(s, i18n.language) }))}
                data-testid="rule-store"
              />
            </Form.Item>
            <Form.Item name="strategy" label={t('routing.strategy')}>
              <Select
                style={{ width: 200 }}
                options={RoutingStrategy.options.map((s) => ({ value: s, label: t(`routing.strategies.${s}`) }))}
                data-testid="rule-strategy"
              />
            </Form.Item>
            <Form.Item name="claimTimeoutMinutes" label={t('routing.claimTimeout')} extra={t('routing.claimTimeoutHint')}>
              <InputNumber min={1} max={1440} addonAfter={t('routing.min')} style={{ width: 150 }} />
            </Form.Item>
          </Space>
        </Form>
      </Modal>
    </Space>
  );
}
