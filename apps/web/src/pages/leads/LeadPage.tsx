import { ArrowLeftOutlined, CheckOutlined } from '@ant-design/icons';
import { FUNNEL_STAGES, type LeadActivity, type LeadDetail, type Order, type RoutingRule, type Task } from '@forecourt/contracts';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Input,
  List,
  Modal,
  Result,
  Row,
  Space,
  Spin,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, get, patch, post, qs } from '../../api/client';
import { useSession } from '../../auth';
import { CustomerTimeline } from '../../components/CustomerTimeline';
import { LoadMore } from '../../components/LoadMore';
import { dayjs, formatTime } from '../../format';
import { LeadActionModal, type LeadAction } from './LeadActions';
import { SlaCountdown, StageTag, isOpen, useLeadErrorText, useRefreshLeads, vehicleText } from './shared';

type Page<T> = { items: T[]; nextCursor: string | null };

/** What an activity's details say, in a line. */
function useActivityText() {
  const { t } = useTranslation();
  const { me } = useSession();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  return (a: LeadActivity): string => {
    const d = a.details;
    const parts: string[] = [];
    switch (a.type) {
      case 'call':
        if (a.outcome) parts.push(t(`leads.call.${a.outcome}`, { defaultValue: a.outcome }));
        if (a.durationSec) parts.push(t('leads.activity.minutes', { count: Math.max(1, Math.round(a.durationSec / 60)) }));
        break;
      case 'message':
        parts.push(`${t(`leads.message.${String(d.channel ?? 'wecom')}`)} · ${t(`leads.message.${String(d.direction ?? 'outbound')}`)}`);
        break;
      case 'visit':
        parts.push(t('leads.activity.party', { count: Number(d.partySize ?? 1) }));
        if (d.impliedBy) parts.push(t('leads.activity.impliedVisit'));
        break;
      case 'appointment':
        parts.push(`${t(`leads.appointment.${String(d.kind ?? 'visit')}`)} · ${formatTime(a.scheduledAt, tz)}`);
        break;
      case 'test_drive':
        parts.push(String(d.model ?? ''));
        if (d.durationMin) parts.push(t('leads.activity.minutes', { count: Number(d.durationMin) }));
        if (d.feedbackScore) parts.push('★'.repeat(Number(d.feedbackScore)));
        if (d.consentSigned) parts.push(t('leads.activity.consentSigned'));
        break;
    }
    return parts.filter(Boolean).join(' · ');
  };
}

function Activities({ leadId, canWork }: { leadId: string; canWork: boolean }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const refresh = useRefreshLeads();
  const errorText = useLeadErrorText();
  const text = useActivityText();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const list = useInfiniteQuery({
    queryKey: ['lead-activities', leadId],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => get<Page<LeadActivity>>(`/api/leads/${leadId}/activities${qs({ limit: 50, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const mark = async (a: LeadActivity, status: 'done' | 'no_show' | 'cancelled') => {
    try {
      await patch(`/api/leads/${leadId}/activities/${a.id}`, { status });
      message.success(t('common.saved'));
    } catch (e) {
      message.error(errorText(e));
    }
    refresh();
  };
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card size="small" title={t('leads.detail.activities')} data-testid="lead-activities">
      <List
        size="small"
        loading={list.isLoading}
        dataSource={rows}
        locale={{ emptyText: t('leads.detail.noActivities') }}
        renderItem={(a) => (
          <List.Item
            data-testid="activity-item"
            data-type={a.type}
            actions={
              canWork && a.type === 'appointment' && a.status === 'scheduled'
                ? [
                    <a key="done" onClick={() => void mark(a, 'done')} data-testid="appointment-done">
                      {t('leads.appointment.markDone')}
                    </a>,
                    <a key="noshow" onClick={() => void mark(a, 'no_show')}>
                      {t('leads.appointment.markNoShow')}
                    </a>,
                    <a key="cancel" onClick={() => void mark(a, 'cancelled')}>
                      {t('leads.appointment.markCancelled')}
                    </a>,
                  ]
                : []
            }
          >
            <List.Item.Meta
              title={
                <Space wrap size={6}>
                  <Tag color="blue">{t(`leads.activityType.${a.type}`)}</Tag>
                  <span>{text(a)}</span>
                  {a.status && a.type === 'appointment' && (
                    <Tag>{t(`leads.appointment.status.${a.status}`, { defaultValue: a.status })}</Tag>
                  )}
                </Space>
              }
              description={
                <Space direction="vertical" size={0}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatTime(a.at, tz)} · {a.actorName ?? t('leads.system')}
                  </Typography.Text>
                  {a.note && <Typography.Text>{a.note}</Typography.Text>}
                </Space>
              }
            />
          </List.Item>
        )}
      />
      <LoadMore list={list} />
    </Card>
  );
}

function Orders({ leadId, canWork }: { leadId: string; canWork: boolean }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const refresh = useRefreshLeads();
  const errorText = useLeadErrorText();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const [closing, setClosing] = useState<Order | null>(null);
  const [reason, setReason] = useState('');
  const orders = useQuery({
    queryKey: ['lead-orders', leadId],
    queryFn: () => get<{ items: Order[] }>(`/api/leads/${leadId}/orders`).then((r) => r.items),
  });
  const close = async () => {
    if (!closing || !reason.trim()) return;
    try {
      await post(`/api/orders/${closing.id}/${closing.kind === 'deposit' ? 'refund' : 'cancel'}`, { reason: reason.trim() });
      message.success(t('common.saved'));
      setClosing(null);
      setReason('');
    } catch (e) {
      message.error(errorText(e));
    }
    refresh();
  };
  const yuan = (v: number | null) => (v === null ? '—' : `¥${v.toLocaleString()}`);
  return (
    <Card size="small" title={t('leads.detail.orders')} data-testid="lead-orders">
      <Table<Order>
        size="small"
        rowKey="id"
        loading={orders.isLoading}
        pagination={false}
        dataSource={orders.data ?? []}
        scroll={{ x: 640 }}
        locale={{ emptyText: t('common.none') }}
        onRow={(o) => ({ 'data-testid': 'order-row', 'data-kind': o.kind, 'data-status': o.status }) as never}
        columns={[
          { title: t('leads.order.kind'), dataIndex: 'kind', render: (k: string) => t(`leads.orderKind.${k}`) },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (s: string) => (
              <Tag color={s === 'delivered' ? 'green' : s === 'active' ? 'blue' : 'default'}>{t(`leads.orderStatus.${s}`)}</Tag>
            ),
          },
          {
            title: t('leads.order.what'),
            key: 'what',
            render: (_: unknown, o) =>
              o.kind === 'deposit'
                ? `${yuan(o.amount)}${o.refundableUntil ? ` · ${t('leads.deposit.refundableUntil')} ${o.refundableUntil}` : ''}`
                : [o.model, o.trim, o.colour, o.price !== null ? yuan(o.price) : null].filter(Boolean).join(' · '),
          },
          {
            title: 'VIN',
            dataIndex: 'vin',
            render: (v: string | null, o) =>
              v ? (
                <Space direction="vertical" size={0}>
                  <Typography.Text code data-testid="order-vin" style={{ whiteSpace: 'nowrap' }}>
                    {v}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatTime(o.deliveredAt, tz)}
                  </Typography.Text>
                </Space>
              ) : (
                '—'
              ),
          },
          { title: t('leads.field.created'), dataIndex: 'createdAt', render: (v: string) => formatTime(v, tz) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, o) =>
              canWork && o.status === 'active' ? (
                <a onClick={() => setClosing(o)} data-testid="order-close">
                  {o.kind === 'deposit' ? t('leads.order.refund') : t('leads.order.cancel')}
                </a>
              ) : null,
          },
        ]}
      />
      <Modal
        open={closing !== null}
        title={closing?.kind === 'deposit' ? t('leads.order.refund') : t('leads.order.cancel')}
        onCancel={() => setClosing(null)}
        onOk={() => void close()}
        okButtonProps={{ disabled: !reason.trim(), danger: true }}
        destroyOnHidden
      >
        <Input.TextArea
          rows={3}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={t('leads.order.closeReason')}
        />
      </Modal>
    </Card>
  );
}

function Tasks({ leadId, canWork }: { leadId: string; canWork: boolean }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const refresh = useRefreshLeads();
  const errorText = useLeadErrorText();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const tasks = useQuery({
    queryKey: ['tasks', 'lead', leadId],
    queryFn: () => get<Page<Task>>(`/api/tasks${qs({ leadId, limit: 100 })}`).then((r) => r.items),
  });
  const complete = async (task: Task) => {
    try {
      await post(`/api/tasks/${task.id}/complete`);
      message.success(t('leads.taskCompleted'));
    } catch (e) {
      message.error(errorText(e));
    }
    refresh();
  };
  return (
    <Card size="small" title={t('leads.detail.tasks')} data-testid="lead-tasks">
      <List
        size="small"
        loading={tasks.isLoading}
        dataSource={tasks.data ?? []}
        locale={{ emptyText: t('common.none') }}
        renderItem={(task) => (
          <List.Item
            data-testid="lead-task"
            data-task-type={task.type}
            data-status={task.status}
            actions={
              canWork && task.status === 'open'
                ? [
                    <Button key="done" size="small" icon={<CheckOutlined />} onClick={() => void complete(task)}>
                      {t('leads.taskDone')}
                    </Button>,
                  ]
                : []
            }
          >
            <List.Item.Meta
              title={
                <Space wrap size={6}>
                  <span>{task.title ?? t(`leads.taskType.${task.type}`, { defaultValue: task.type })}</span>
                  {task.status !== 'open' ? (
                    <Tag>{t(`leads.taskStatus.${task.status}`)}</Tag>
                  ) : task.overdue ? (
                    <Tag color="error">{t('leads.overdue')}</Tag>
                  ) : null}
                </Space>
              }
              description={`${formatTime(task.dueAt, tz)} · ${task.ownerName ?? '—'}`}
            />
          </List.Item>
        )}
      />
    </Card>
  );
}

/**
 * The funnel as a bar of eight steps with the time each was first reached; it wraps on a phone. Lost
 * and dormant leads show where they stopped, in red or grey.
 */
function StageBar({ lead, tz }: { lead: LeadDetail; tz: string }) {
  const { t } = useTranslation();
  const entered = new Map<string, string>();
  for (const c of lead.stageChanges) if (!entered.has(c.toStage)) entered.set(c.toStage, c.at);
  const reached = FUNNEL_STAGES.indexOf(lead.furthestStage as (typeof FUNNEL_STAGES)[number]);
  const colour = lead.stage === 'lost' ? '#ff4d4f' : lead.stage === 'dormant' ? '#8c8c8c' : '#1677ff';
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6, marginBottom: 16 }} data-testid="lead-steps">
      {FUNNEL_STAGES.map((s, i) => {
        const done = i <= reached;
        const at = entered.get(s);
        return (
          <div
            key={s}
            data-testid="lead-step"
            data-stage={s}
            data-reached={done}
            style={{ flex: '1 1 76px', minWidth: 76, borderTop: `3px solid ${done ? colour : '#f0f0f0'}`, paddingTop: 4 }}
          >
            <div style={{ fontSize: 13, fontWeight: s === lead.stage ? 600 : 400, color: done ? 'rgba(0,0,0,0.88)' : '#bfbfbf' }}>
              {t(`leads.stage.${s}`)}
            </div>
            <div style={{ fontSize: 11, color: '#8c8c8c', minHeight: 16 }}>{at ? dayjs(at).tz(tz).format('MM-DD HH:mm') : ''}</div>
          </div>
        );
      })}
    </div>
  );
}

/** The lead's actions, as its stage and the caller's permissions allow. */
function actionsFor(lead: LeadDetail, can: (p: Parameters<ReturnType<typeof useSession>['can']>[0]) => boolean): LeadAction[] {
  const out: LeadAction[] = [];
  if (can('leads.work')) {
    if (isOpen(lead.stage)) {
      out.push('call', 'message', 'appointment', 'visit', 'test_drive', 'note', 'deposit', 'order');
      if (lead.stage === 'order') out.push('deliver');
      out.push('lost');
    } else if (lead.stage === 'delivered') out.push('note');
    else out.push('reopen', 'note');
  }
  if (can('leads.assign') && isOpen(lead.stage)) out.push('assign');
  if (can('leads.approve_lost') && isOpen(lead.stage)) out.push('close');
  return out;
}

/** The lead page: header with the funnel, the action bar, activities, orders, tasks, history; the customer's 360 timeline beside it. */
export function LeadPage() {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const [action, setAction] = useState<LeadAction | null>(null);
  const lead = useQuery({
    queryKey: ['lead', id],
    queryFn: () => get<LeadDetail>(`/api/leads/${id}`),
    retry: (count, e) => !(e instanceof ApiError && e.status < 500) && count < 2,
  });
  const rules = useQuery({
    queryKey: ['routing-rules'],
    enabled: can('leads.configure'),
    queryFn: () => get<{ items: RoutingRule[] }>('/api/routing-rules').then((r) => r.items),
  });

  if (lead.isLoading) return <Spin />;
  if (lead.error || !lead.data) {
    const missing = lead.error instanceof ApiError && (lead.error.status === 404 || lead.error.status === 400);
    return (
      <Result
        status={missing ? '404' : 'error'}
        title={<span data-testid="lead-not-found">{missing ? t('leads.detail.notFound') : t('errors.INTERNAL')}</span>}
        subTitle={missing ? t('leads.detail.notFoundHint') : lead.error instanceof ApiError ? lead.error.display : String(lead.error)}
        extra={<Button onClick={() => navigate('/leads')}>{t('leads.detail.back')}</Button>}
      />
    );
  }
  const l = lead.data;
  const canWork = can('leads.work');
  const ruleName = (ruleId: string | null) =>
    ruleId
      ? ((ruleId === l.routingRuleId ? l.routingRuleName : rules.data?.find((r) => r.id === ruleId)?.name) ?? t('leads.detail.deletedRule'))
      : null;
  const vehicle = vehicleText(l);
  const budget =
    l.budgetMin !== null || l.budgetMax !== null
      ? `${l.budgetMin !== null ? `¥${l.budgetMin.toLocaleString()}` : ''} – ${l.budgetMax !== null ? `¥${l.budgetMax.toLocaleString()}` : ''}`
      : null;

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={16}>
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card
            size="small"
            data-testid="lead-header"
            title={
              <Space wrap>
                <Typography.Title level={4} style={{ margin: 0 }} data-testid="lead-customer">
                  {l.customer.name ?? l.customerName ?? t('leads.unnamed')}
                </Typography.Title>
                <StageTag stage={l.stage} />
                {l.priority === 'high' && <Tag color="red">{t('leads.priorityHigh')}</Tag>}
                {l.lostReason && <Tag color="red">{t(`leads.lostReason.${l.lostReason}`, { defaultValue: l.lostReason })}</Tag>}
                {can('customers.read') && (
                  <Link
                    to={`/customers/${l.customer.profileId}`}
                    data-testid="lead-customer-link"
                    style={{ fontWeight: 400, fontSize: 14 }}
                  >
                    {t('leads.detail.customer360')}
                  </Link>
                )}
              </Space>
            }
            extra={
              <Link to="/leads">
                <ArrowLeftOutlined /> {t('leads.detail.back')}
              </Link>
            }
          >
            <StageBar lead={l} tz={tz} />
            <Descriptions size="small" column={{ xs: 1, sm: 2, xxl: 3 }}>
              <Descriptions.Item label={t('leads.field.phone')}>
                <span data-testid="lead-phone" style={{ whiteSpace: 'nowrap' }}>
                  {l.customer.phoneMasked ?? '—'}
                </span>
              </Descriptions.Item>
              <Descriptions.Item label={t('leads.field.sla')}>
                <SlaCountdown lead={l} />
              </Descriptions.Item>
              <Descriptions.Item label={t('leads.field.owner')}>
                <span data-testid="lead-owner">{l.ownerName ?? (l.claimUntil ? t('leads.inPool') : t('leads.noOwner'))}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('leads.field.store')}>{l.storeName ?? t('leads.unrouted')}</Descriptions.Item>
              <Descriptions.Item label={t('leads.field.source')}>
                {l.sourceName ?? '—'} · {t(`leads.intake.${l.intake}`, { defaultValue: l.intake })}
              </Descriptions.Item>
              <Descriptions.Item label={t('leads.field.campaign')}>{l.campaign ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('leads.field.vehicle')}>
                {vehicle || '—'} {l.vehicleCondition === 'used' && <Tag>{t('leads.used')}</Tag>}
              </Descriptions.Item>
              {budget && <Descriptions.Item label={t('leads.field.budget')}>{budget}</Descriptions.Item>}
              {l.timeframe && <Descriptions.Item label={t('leads.field.timeframe')}>{l.timeframe}</Descriptions.Item>}
              {(l.tradeIn || l.financing) && (
                <Descriptions.Item label={t('leads.field.interest')}>
                  {[l.tradeIn && t('leads.tradeIn'), l.financing && t('leads.financing')].filter(Boolean).join(' · ')}
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('leads.field.created')}>{formatTime(l.createdAt, tz)}</Descriptions.Item>
              <Descriptions.Item label={t('leads.field.firstContact')}>{formatTime(l.firstContactAt, tz)}</Descriptions.Item>
              {l.cost !== null && <Descriptions.Item label={t('leads.field.cost')}>¥{l.cost.toLocaleString()}</Descriptions.Item>}
              {l.comments && (
                <Descriptions.Item label={t('leads.field.comments')} span={3}>
                  {l.comments}
                </Descriptions.Item>
              )}
            </Descriptions>
            <Space wrap style={{ marginTop: 8 }} data-testid="lead-actions">
              {actionsFor(l, can).map((a) => (
                <Button
                  key={a}
                  type={a === 'call' ? 'primary' : 'default'}
                  danger={a === 'lost' || a === 'close'}
                  onClick={() => setAction(a)}
                  data-testid={`act-${a}`}
                >
                  {t(`leads.action.${a}`)}
                </Button>
              ))}
            </Space>
          </Card>
          <Activities leadId={l.id} canWork={canWork} />
          <Orders leadId={l.id} canWork={canWork} />
          <Tasks leadId={l.id} canWork={canWork} />
          <Card size="small">
            <Tabs
              items={[
                {
                  key: 'assignments',
                  label: t('leads.detail.assignments'),
                  children: (
                    <List
                      size="small"
                      dataSource={[...l.assignments].reverse()}
                      locale={{ emptyText: t('common.none') }}
                      renderItem={(a) => (
                        <List.Item data-testid="assignment-item">
                          <Space wrap size={6}>
                            <Typography.Text type="secondary">{formatTime(a.at, tz)}</Typography.Text>
                            <span>{a.userName ?? t('leads.noOwner')}</span>
                            <Tag>{t(`leads.assignReason.${a.reason}`, { defaultValue: a.reason })}</Tag>
                            {a.ruleId && (
                              <Typography.Text type="secondary" data-testid="assignment-rule">
                                {t('leads.detail.byRule', { rule: ruleName(a.ruleId) })}
                              </Typography.Text>
                            )}
                          </Space>
                        </List.Item>
                      )}
                    />
                  ),
                },
                {
                  key: 'inquiries',
                  label: t('leads.detail.inquiries', { count: l.inquiries.length }),
                  children: (
                    <Table
                      size="small"
                      rowKey="id"
                      pagination={false}
                      dataSource={l.inquiries}
                      scroll={{ x: 560 }}
                      columns={[
                        { title: t('leads.field.created'), dataIndex: 'at', render: (v: string) => formatTime(v, tz) },
                        { title: t('leads.field.source'), dataIndex: 'sourceName', render: (v: string | null) => v ?? '—' },
                        { title: t('leads.field.campaign'), dataIndex: 'campaign', render: (v: string | null) => v ?? '—' },
                        { title: t('leads.field.vehicle'), dataIndex: 'model', render: (v: string | null) => v ?? '—' },
                        { title: t('leads.field.comments'), dataIndex: 'comments', render: (v: string | null) => v ?? '—' },
                      ]}
                    />
                  ),
                },
                {
                  key: 'stages',
                  label: t('leads.detail.stageHistory'),
                  children: (
                    <List
                      size="small"
                      dataSource={[...l.stageChanges].reverse()}
                      renderItem={(c) => (
                        <List.Item>
                          <Space wrap size={6}>
                            <Typography.Text type="secondary">{formatTime(c.at, tz)}</Typography.Text>
                            <span>
                              {c.fromStage ? t(`leads.stage.${c.fromStage}`, { defaultValue: c.fromStage }) : '∅'} →{' '}
                              {t(`leads.stage.${c.toStage}`, { defaultValue: c.toStage })}
                            </span>
                            {c.reason && <Typography.Text type="secondary">{c.reason}</Typography.Text>}
                          </Space>
                        </List.Item>
                      )}
                    />
                  ),
                },
              ]}
            />
          </Card>
        </Space>
      </Col>
      <Col xs={24} xl={8}>
        {can('customers.read') ? (
          <CustomerTimeline
            profileId={l.customer.profileId}
            title={t('leads.detail.timeline')}
            extra={<Link to={`/customers/${l.customer.profileId}`}>{t('leads.detail.customer360')}</Link>}
          />
        ) : (
          <Card size="small" title={t('leads.detail.timeline')}>
            <Empty description={t('noPermission.body')} />
          </Card>
        )}
      </Col>
      <LeadActionModal lead={action ? l : null} action={action} onClose={() => setAction(null)} />
    </Row>
  );
}
