import { ArrowLeftOutlined, DeleteOutlined, DownloadOutlined, EyeOutlined } from '@ant-design/icons';
import { ConsentChannel, ConsentPurpose, LifecycleStage, type Customer } from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Popconfirm,
  Radio,
  Row,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, get, patch, post } from '../../api/client';
import { useSession } from '../../auth';
import { CustomerTimeline } from '../../components/CustomerTimeline';
import { formatTime } from '../../format';

type Identity = Customer['identities'][number];
type Consent = Customer['consents'][number];
type Merge = Customer['merges'][number];
type Trait = Customer['traits'][number];

/** Any trait value as plain text. */
function asText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The newest record per purpose × channel. */
function latestConsents(list: Consent[]): Consent[] {
  const latest = new Map<string, Consent>();
  for (const c of list) {
    const key = `${c.purpose}:${c.channel}`;
    const seen = latest.get(key);
    if (!seen || seen.at < c.at) latest.set(key, c);
  }
  return [...latest.values()].sort((a, b) => `${a.purpose}${a.channel}`.localeCompare(`${b.purpose}${b.channel}`));
}

export function CustomerPage() {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const { message } = App.useApp();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const [revealed, setRevealed] = useState<Record<string, string> | null>(null);
  const [erasing, setErasing] = useState(false);
  const [eraseText, setEraseText] = useState('');
  const [consentForm] = Form.useForm();

  const customer = useQuery({ queryKey: ['customer', id], queryFn: () => get<Customer>(`/api/customers/${id}`) });

  const fail = (e: unknown) => message.error(e instanceof ApiError ? e.display : String(e));
  const reload = () => {
    void client.invalidateQueries({ queryKey: ['customer', id] });
    void client.invalidateQueries({ queryKey: ['customer-timeline', id] });
  };

  if (customer.isLoading) return <Spin />;
  if (customer.error || !customer.data) {
    return (
      <Card>
        <Empty description={customer.error instanceof ApiError ? customer.error.display : t('errors.NOT_FOUND')} />
      </Card>
    );
  }
  const c = customer.data;
  const writable = can('customers.write');

  const update = async (changes: { tags?: string[]; lifecycleStage?: string }) => {
    try {
      const next = await patch<Customer>(`/api/customers/${id}`, { version: c.version, ...changes });
      client.setQueryData(['customer', id], next);
      message.success(t('common.saved'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) message.warning(t('common.conflict'));
      else fail(e);
      reload();
    }
  };

  const reveal = async () => {
    try {
      const r = await post<{ items: { type: string; masked: string; value: string }[] }>(`/api/customers/${id}/reveal`);
      setRevealed(Object.fromEntries(r.items.map((i) => [`${i.type}:${i.masked}`, i.value])));
    } catch (e) {
      fail(e);
    }
  };

  const recordConsent = async () => {
    const v = (await consentForm.validateFields()) as { purpose: string; channel: string; granted: boolean; evidence: string };
    try {
      client.setQueryData(['customer', id], await post<Customer>(`/api/customers/${id}/consents`, v));
      consentForm.resetFields(['evidence']);
      message.success(t('common.saved'));
    } catch (e) {
      fail(e);
    }
  };

  const unmerge = async (m: Merge) => {
    try {
      await post(`/api/customers/${id}/merges/${m.id}/unmerge`);
      reload();
    } catch (e) {
      fail(e);
    }
  };

  const erase = async () => {
    try {
      await post(`/api/customers/${id}/erase`, { confirm: true });
      message.success(t('customer.erased'));
      setErasing(false);
      void client.invalidateQueries({ queryKey: ['customers'] });
      void navigate('/customers');
    } catch (e) {
      fail(e);
    }
  };

  /** `identity:phone` (an automatic merge on a shared phone), `duplicate_review`, `identity_review`. */
  const mergeReason = (reason: string) =>
    reason.startsWith('identity:')
      ? t('mergeReason.identity', { type: t(`identityType.${reason.slice(9)}`, { defaultValue: reason.slice(9) }) })
      : t(`mergeReason.${reason}`, { defaultValue: reason });
  const name = c.name ?? t('customers.unnamed');
  const eraseOk = eraseText.trim() === 'ERASE' || (!!c.name && eraseText.trim() === c.name);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={
          <Space>
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="customer-name">
              {name}
            </Typography.Title>
            <Tag color="blue">{t(`stage.${c.lifecycleStage}`, c.lifecycleStage)}</Tag>
          </Space>
        }
        extra={
          <Link to="/customers">
            <ArrowLeftOutlined /> {t('customer.back')}
          </Link>
        }
      >
        <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
          <Descriptions.Item label={t('customers.stage')}>
            <Select
              size="small"
              style={{ width: 140 }}
              value={c.lifecycleStage}
              disabled={!writable}
              options={LifecycleStage.options.map((s) => ({ value: s, label: t(`stage.${s}`) }))}
              onChange={(s) => void update({ lifecycleStage: s })}
              data-testid="customer-stage"
            />
          </Descriptions.Item>
          <Descriptions.Item label={t('customer.owner')}>
            {[c.ownerOrgUnitName, c.ownerUserName].filter(Boolean).join(' · ') || t('customer.noOwner')}
          </Descriptions.Item>
          <Descriptions.Item label={t('customers.city')}>{c.city ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('customer.firstSeen')}>{formatTime(c.firstSeenAt, tz)}</Descriptions.Item>
          <Descriptions.Item label={t('customer.lastSeen')}>{formatTime(c.lastSeenAt, tz)}</Descriptions.Item>
          <Descriptions.Item label={t('customer.tags')}>
            <Select
              mode="tags"
              size="small"
              style={{ minWidth: 240 }}
              value={c.tags}
              disabled={!writable}
              placeholder={t('customer.addTag')}
              open={false}
              onChange={(tags: string[]) => void update({ tags })}
              data-testid="customer-tags"
            />
          </Descriptions.Item>
        </Descriptions>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card
            title={t('customer.identities')}
            size="small"
            data-testid="identities"
            extra={
              can('customers.reveal') &&
              !revealed && (
                <Button
                  size="small"
                  icon={<EyeOutlined />}
                  onClick={() => void reveal()}
                  title={t('customer.revealHint')}
                  data-testid="reveal"
                >
                  {t('customer.reveal')}
                </Button>
              )
            }
          >
            <Table<Identity>
              rowKey={(i) => `${i.type}:${i.masked}`}
              size="small"
              pagination={false}
              dataSource={c.identities}
              columns={[
                { title: t('customer.identityType'), dataIndex: 'type', render: (v: string) => t(`identityType.${v}`, v) },
                {
                  title: t('customer.value'),
                  key: 'value',
                  render: (_: unknown, i: Identity) => (
                    <Typography.Text code data-testid="identity-value">
                      {revealed?.[`${i.type}:${i.masked}`] ?? i.masked}
                    </Typography.Text>
                  ),
                },
                { title: t('customer.lastSeen'), dataIndex: 'lastSeenAt', render: (v: string) => formatTime(v, tz) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('customer.traits')} size="small" data-testid="traits">
            <Table<Trait>
              rowKey="key"
              size="small"
              pagination={false}
              dataSource={c.traits}
              columns={[
                { title: t('customer.traitKey'), dataIndex: 'key', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
                { title: t('customer.traitValue'), dataIndex: 'value', render: (v: unknown) => asText(v) },
                { title: t('customer.traitSource'), dataIndex: 'sourceName', render: (v: string | null) => v ?? '—' },
                { title: t('customer.traitAt'), dataIndex: 'at', render: (v: string | null) => formatTime(v, tz) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('customer.consent')} size="small" data-testid="consents">
            {c.consents.length === 0 ? (
              <Typography.Paragraph type="secondary">{t('customer.noConsent')}</Typography.Paragraph>
            ) : (
              <Table<Consent>
                rowKey={(x) => `${x.purpose}:${x.channel}`}
                size="small"
                pagination={false}
                dataSource={latestConsents(c.consents)}
                columns={[
                  { title: t('customer.purpose'), dataIndex: 'purpose', render: (v: string) => t(`consentPurpose.${v}`) },
                  { title: t('customer.channel'), dataIndex: 'channel', render: (v: string) => t(`consentChannel.${v}`) },
                  {
                    title: t('common.status'),
                    dataIndex: 'granted',
                    render: (g: boolean) =>
                      g ? <Tag color="green">{t('customer.granted')}</Tag> : <Tag color="red">{t('customer.withdrawn')}</Tag>,
                  },
                  { title: t('customer.traitAt'), dataIndex: 'at', render: (v: string) => formatTime(v, tz) },
                ]}
              />
            )}
            {writable && (
              <Form
                form={consentForm}
                layout="inline"
                style={{ marginTop: 12, rowGap: 8 }}
                initialValues={{ purpose: 'marketing', channel: 'sms', granted: true }}
              >
                <Form.Item name="purpose">
                  <Select
                    style={{ width: 100 }}
                    options={ConsentPurpose.options.map((p) => ({ value: p, label: t(`consentPurpose.${p}`) }))}
                  />
                </Form.Item>
                <Form.Item name="channel">
                  <Select
                    style={{ width: 110 }}
                    options={ConsentChannel.options.map((p) => ({ value: p, label: t(`consentChannel.${p}`) }))}
                  />
                </Form.Item>
                <Form.Item name="granted">
                  <Radio.Group optionType="button" size="middle">
                    <Radio.Button value={true}>{t('customer.grant')}</Radio.Button>
                    <Radio.Button value={false}>{t('customer.withdraw')}</Radio.Button>
                  </Radio.Group>
                </Form.Item>
                <Form.Item name="evidence" rules={[{ required: true, max: 500 }]}>
                  <Input placeholder={t('customer.evidencePlaceholder')} style={{ width: 260 }} data-testid="consent-evidence" />
                </Form.Item>
                <Button onClick={() => void recordConsent()} data-testid="consent-record">
                  {t('customer.record')}
                </Button>
              </Form>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <Card title={t('customer.vehicles')} size="small" data-testid="vehicles">
              <List
                size="small"
                dataSource={c.vehicles}
                locale={{ emptyText: t('common.none') }}
                renderItem={(v) => (
                  <List.Item>
                    <Typography.Text code>{v.vin}</Typography.Text>
                    <Typography.Text type="secondary">
                      {t('customer.since')} {formatTime(v.since, tz)}
                    </Typography.Text>
                  </List.Item>
                )}
              />
            </Card>
            <Card title={t('customer.merges')} size="small" data-testid="merges">
              <List
                size="small"
                dataSource={c.merges}
                locale={{ emptyText: t('common.none') }}
                renderItem={(m) => (
                  <List.Item
                    data-testid="merge-item"
                    actions={
                      m.unmergedAt
                        ? [<Tag key="done">{t('customer.unmerged')}</Tag>]
                        : can('customers.merge')
                          ? [
                              <Popconfirm key="unmerge" title={t('customer.unmergeConfirm')} onConfirm={() => void unmerge(m)}>
                                <a data-testid="unmerge">{t('customer.unmerge')}</a>
                              </Popconfirm>,
                            ]
                          : []
                    }
                  >
                    <List.Item.Meta
                      title={`${t('customer.absorbed')}：${m.absorbedName ?? t('customers.unnamed')}`}
                      description={`${formatTime(m.at, tz)} · ${t('customer.reason')}：${mergeReason(m.reason)}`}
                    />
                  </List.Item>
                )}
              />
            </Card>
          </Space>
        </Col>
      </Row>

      <CustomerTimeline profileId={id} />

      {can('customers.erase') && (
        <Card title={t('customer.danger')} size="small" style={{ borderColor: '#ffccc7' }} data-testid="danger-zone">
          <Space>
            <Button icon={<DownloadOutlined />} href={`/api/customers/${id}/personal-data`} data-testid="personal-data-export">
              {t('customer.exportPersonal')}
            </Button>
            <Button danger icon={<DeleteOutlined />} onClick={() => setErasing(true)} data-testid="erase">
              {t('customer.erase')}
            </Button>
          </Space>
        </Card>
      )}
      <Modal
        open={erasing}
        title={t('customer.eraseTitle')}
        onOk={() => void erase()}
        onCancel={() => setErasing(false)}
        okText={t('customer.erase')}
        okButtonProps={{ danger: true, disabled: !eraseOk, 'data-testid': 'erase-confirm' } as never}
        destroyOnClose
      >
        <Typography.Paragraph>{t('customer.eraseBody')}</Typography.Paragraph>
        <Input
          value={eraseText}
          onChange={(e) => setEraseText(e.target.value)}
          placeholder={c.name ? `${c.name} / ERASE` : 'ERASE'}
          data-testid="erase-confirm-input"
        />
      </Modal>
    </Space>
  );
}
