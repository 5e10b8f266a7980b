import { CalendarOutlined, CheckOutlined, PhoneOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { LeadListItem, LeadStage, Task } from '@forecourt/contracts';
import { useQuery } from '@tanstack/react-query';
import { App, Badge, Button, Card, Col, Empty, List, Row, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { get, post, qs } from '../../api/client';
import { useSession } from '../../auth';
import { formatTime } from '../../format';
import { LeadActionModal, type ActionLead, type LeadAction } from './LeadActions';
import { ManagerSection } from './ManagerSection';
import { SlaCountdown, StageTag, useLeadErrorText, useRefreshLeads, vehicleText } from './shared';

type Page<T> = { items: T[]; nextCursor: string | null };
/** A contacted lead stays on the workbench this long after it arrived, waiting for its booking. */
const RECENT_MS = 3 * 24 * 3600_000;

/** Pending first contacts first (soonest deadline), then the rest newest first. */
function byUrgency(a: LeadListItem, b: LeadListItem): number {
  const due = (l: LeadListItem) => (l.slaState === 'pending' && l.firstContactDueAt ? new Date(l.firstContactDueAt).getTime() : Infinity);
  return due(a) - due(b) || b.createdAt.localeCompare(a.createdAt);
}

function LeadItem({
  lead,
  onAction,
  claim,
}: {
  lead: LeadListItem;
  onAction?: (lead: LeadListItem, action: LeadAction) => void;
  claim?: (lead: LeadListItem) => void;
}) {
  const { t } = useTranslation();
  const vehicle = vehicleText(lead);
  return (
    <List.Item data-testid="wb-lead" data-lead-id={lead.id} style={{ display: 'block' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} align="start" wrap>
        <Space direction="vertical" size={2}>
          <Space wrap size={6}>
            <Link to={`/leads/${lead.id}`} data-testid="wb-lead-open">
              <Typography.Text strong>{lead.customerName ?? t('leads.unnamed')}</Typography.Text>
            </Link>
            {lead.priority === 'high' && <Tag color="red">{t('leads.priorityHigh')}</Tag>}
            <StageTag stage={lead.stage} />
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[lead.phoneMasked, vehicle, lead.sourceName].filter(Boolean).join(' · ') || '—'}
          </Typography.Text>
        </Space>
        <SlaCountdown lead={lead} />
      </Space>
      <Space wrap size={6} style={{ marginTop: 8 }}>
        {claim ? (
          <Button size="small" type="primary" onClick={() => claim(lead)} data-testid="wb-claim">
            {t('leads.claim')}
          </Button>
        ) : (
          onAction && (
            <>
              <Button size="small" type="primary" icon={<PhoneOutlined />} onClick={() => onAction(lead, 'call')} data-testid="wb-call">
                {t('leads.action.call')}
              </Button>
              <Button size="small" icon={<CalendarOutlined />} onClick={() => onAction(lead, 'appointment')} data-testid="wb-appointment">
                {t('leads.action.appointment')}
              </Button>
            </>
          )
        )}
        <Link to={`/leads/${lead.id}`}>
          <Button size="small">{t('leads.open')}</Button>
        </Link>
      </Space>
    </List.Item>
  );
}

function TaskItem({ task, onDone }: { task: Task; onDone: (task: Task) => void }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const label = task.title ?? t(`leads.taskType.${task.type}`, { defaultValue: task.type });
  return (
    <List.Item
      data-testid="wb-task"
      data-task-type={task.type}
      actions={[
        <Button key="done" size="small" icon={<CheckOutlined />} onClick={() => onDone(task)} data-testid="wb-task-done">
          {t('leads.taskDone')}
        </Button>,
      ]}
    >
      <List.Item.Meta
        title={
          <Space wrap size={6}>
            <span>{label}</span>
            {task.overdue && <Tag color="error">{t('leads.overdue')}</Tag>}
          </Space>
        }
        description={
          <Space wrap size={6}>
            <span>{formatTime(task.dueAt, tz)}</span>
            {task.leadId && <Link to={`/leads/${task.leadId}`}>{task.customerName ?? t('leads.unnamed')}</Link>}
          </Space>
        }
      />
    </List.Item>
  );
}

/**
 * The consultant's and DCC agent's day: my new leads with their SLA countdowns, the claim pool, today's
 * and overdue tasks, each with its one- or two-click action; the manager's section below for leads.assign.
 */
export function Workbench() {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const { message } = App.useApp();
  const refresh = useRefreshLeads();
  const errorText = useLeadErrorText();
  const [acting, setActing] = useState<{ lead: ActionLead; action: LeadAction } | null>(null);
  const works = can('leads.work');
  const pool = can('leads.claim') && !can('leads.assign');

  const mine = useQuery({
    queryKey: ['leads', 'workbench', 'mine'],
    enabled: works,
    refetchInterval: 30_000,
    // Every lead not yet contacted, and the recent ones contacted but not yet booked (their next step is the booking).
    queryFn: async () => {
      const recent = new Date(Date.now() - RECENT_MS).toISOString();
      const pages = await Promise.all([
        get<Page<LeadListItem>>(`/api/leads${qs({ owner: 'me', stage: 'new' satisfies LeadStage, limit: 50 })}`),
        get<Page<LeadListItem>>(`/api/leads${qs({ owner: 'me', stage: 'contacted' satisfies LeadStage, createdFrom: recent, limit: 50 })}`),
      ]);
      return pages.flatMap((p) => p.items);
    },
  });
  const claimable = useQuery({
    queryKey: ['leads', 'workbench', 'pool'],
    enabled: pool,
    refetchInterval: 30_000,
    queryFn: () => get<Page<LeadListItem>>(`/api/leads${qs({ unassigned: true, limit: 20 })}`),
  });
  const today = useQuery({
    queryKey: ['tasks', 'today'],
    enabled: works,
    refetchInterval: 60_000,
    queryFn: () => get<Page<Task>>(`/api/tasks${qs({ owner: 'me', due: 'today', status: 'open', limit: 50 })}`),
  });
  const overdue = useQuery({
    queryKey: ['tasks', 'overdue'],
    enabled: works,
    refetchInterval: 60_000,
    queryFn: () => get<Page<Task>>(`/api/tasks${qs({ owner: 'me', due: 'overdue', limit: 50 })}`),
  });

  const claim = async (lead: LeadListItem) => {
    try {
      await post(`/api/leads/${lead.id}/claim`);
      message.success(t('leads.claimed', { name: lead.customerName ?? t('leads.unnamed') }));
    } catch (e) {
      message.error(errorText(e));
    }
    refresh();
  };
  const complete = async (task: Task) => {
    try {
      await post(`/api/tasks/${task.id}/complete`);
      message.success(t('leads.taskCompleted'));
    } catch (e) {
      message.error(errorText(e));
    }
    refresh();
  };

  if (!me) return null;
  const myLeads = [...(mine.data ?? [])].sort(byUrgency);
  // A task due today and already past due is listed once, under overdue.
  const overdueTasks = overdue.data?.items ?? [];
  const todayTasks = (today.data?.items ?? []).filter((x) => !overdueTasks.some((o) => o.id === x.id));
  const act = (lead: LeadListItem, action: LeadAction) => setActing({ lead, action });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="workbench">
      {works && (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={14}>
            <Card
              size="small"
              title={
                <Space>
                  {t('leads.wb.myNew')}
                  <Badge count={myLeads.length} showZero color="#1677ff" data-testid="wb-my-count" />
                </Space>
              }
              extra={<Button size="small" type="text" icon={<ReloadOutlined />} onClick={refresh} aria-label={t('common.reload')} />}
              data-testid="wb-my-leads"
            >
              <List
                loading={mine.isLoading}
                dataSource={myLeads}
                locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('leads.wb.noNew')} /> }}
                renderItem={(l) => <LeadItem lead={l} onAction={act} />}
              />
            </Card>
            {pool && (claimable.data?.items.length ?? 0) > 0 && (
              <Card size="small" title={t('leads.wb.pool')} style={{ marginTop: 16 }} data-testid="wb-pool">
                <List dataSource={claimable.data?.items ?? []} renderItem={(l) => <LeadItem lead={l} claim={(x) => void claim(x)} />} />
              </Card>
            )}
          </Col>
          <Col xs={24} xl={10}>
            <Space direction="vertical" size="middle" style={{ width: '100%' }}>
              <Card
                size="small"
                title={
                  <Space>
                    {t('leads.wb.overdue')}
                    <Badge count={overdueTasks.length} showZero color={overdueTasks.length ? '#ff4d4f' : '#d9d9d9'} />
                  </Space>
                }
                data-testid="wb-overdue"
              >
                <List
                  size="small"
                  loading={overdue.isLoading}
                  dataSource={overdueTasks}
                  locale={{ emptyText: t('leads.wb.nothingOverdue') }}
                  renderItem={(x) => <TaskItem task={x} onDone={(y) => void complete(y)} />}
                />
              </Card>
              <Card
                size="small"
                title={
                  <Space>
                    {t('leads.wb.today')}
                    <Badge count={todayTasks.length} showZero color="#1677ff" />
                  </Space>
                }
                data-testid="wb-today"
              >
                <List
                  size="small"
                  loading={today.isLoading}
                  dataSource={todayTasks}
                  locale={{ emptyText: t('leads.wb.nothingToday') }}
                  renderItem={(x) => <TaskItem task={x} onDone={(y) => void complete(y)} />}
                />
              </Card>
            </Space>
          </Col>
        </Row>
      )}
      {(can('leads.assign') || can('leads.approve_lost') || !works) && <ManagerSection />}
      <LeadActionModal lead={acting?.lead ?? null} action={acting?.action ?? null} onClose={() => setActing(null)} />
    </Space>
  );
}

export function WorkbenchPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="workbench-title">
          {t('leads.wb.title')}
        </Typography.Title>
        {can('leads.create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/leads/new')} data-testid="wb-new-lead">
            {t('leads.newLead')}
          </Button>
        )}
      </Space>
      <Workbench />
    </Space>
  );
}
