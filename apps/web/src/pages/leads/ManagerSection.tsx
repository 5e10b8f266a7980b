import { ROLE_LABELS, type LeadListItem, type LeadState, type LostRequest, type TeamLoadRow } from '@forecourt/contracts';
import { useQuery } from '@tanstack/react-query';
import { App, Alert, Button, Card, Col, Input, Modal, Popconfirm, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState, type Key } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, post, qs } from '../../api/client';
import { useSession } from '../../auth';
import { unitName, useOrgUnits } from '../../components/orgUnits';
import { formatTime } from '../../format';
import { ConsultantSelect, useConsultants } from './ConsultantSelect';
import { SlaCountdown, StageTag, isOpen, useLeadErrorText, useRefreshLeads } from './shared';

type Page<T> = { items: T[]; nextCursor: string | null };
type Decision = { request: LostRequest; lead: LeadState };

function TeamLoad({ storeId }: { storeId: string }) {
  const { t } = useTranslation();
  const { i18n } = useTranslation();
  const people = useConsultants(storeId);
  // Managers work leads too, but the team's load is the consultants' and DCC agents'.
  const team = (people.data ?? []).filter((u) => u.role !== 'store_manager');
  const load = useQuery({
    queryKey: ['team-load', storeId],
    staleTime: 30_000,
    queryFn: () => get<{ items: TeamLoadRow[] }>(`/api/leads/team-load${qs({ store: storeId })}`).then((r) => r.items),
  });
  const byUser = new Map((load.data ?? []).map((r) => [r.userId, r]));
  const rows = team.map((u) => {
    const r = byUser.get(u.id);
    return { user: u, loading: !load.data, open: r?.openLeads ?? 0, more: false, fresh: r?.newLeads ?? 0, breached: r?.breached ?? 0 };
  });
  rows.sort((a, b) => b.open - a.open);
  return (
    <Table
      size="small"
      rowKey={(r) => r.user.id}
      loading={people.isLoading}
      pagination={false}
      dataSource={rows}
      scroll={{ x: 420 }}
      data-testid="team-load"
      onRow={() => ({ 'data-testid': 'team-load-row' }) as never}
      columns={[
        {
          title: t('leads.mgr.consultant'),
          key: 'name',
          render: (_: unknown, r: (typeof rows)[number]) => (
            <Space size={4} wrap>
              <span>{r.user.displayName}</span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {ROLE_LABELS[r.user.role][i18n.language === 'en' ? 'en' : 'zh']}
              </Typography.Text>
              {!r.user.onDuty && <Tag>{t('leads.offDuty')}</Tag>}
            </Space>
          ),
        },
        {
          title: t('leads.mgr.open'),
          key: 'open',
          render: (_: unknown, r: (typeof rows)[number]) => (r.loading ? '…' : `${r.open}${r.more ? '+' : ''}`),
        },
        { title: t('leads.stage.new'), dataIndex: 'fresh' },
        {
          title: t('leads.mgr.breached'),
          dataIndex: 'breached',
          render: (n: number) => (n > 0 ? <Typography.Text type="danger">{n}</Typography.Text> : n),
        },
      ]}
    />
  );
}

function LostRequests() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const refresh = useRefreshLeads();
  const errorText = useLeadErrorText();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const [rejecting, setRejecting] = useState<LostRequest | null>(null);
  const [note, setNote] = useState('');
  const requests = useQuery({
    queryKey: ['lost-requests', 'pending'],
    refetchInterval: 60_000,
    queryFn: () => get<Page<LostRequest>>(`/api/lost-requests${qs({ status: 'pending', limit: 50 })}`),
  });
  const decide = async (r: LostRequest, action: 'approve' | 'reject', decisionNote?: string) => {
    try {
      await post<Decision>(`/api/lost-requests/${r.id}/${action}`, decisionNote ? { note: decisionNote } : {});
      message.success(t(action === 'approve' ? 'leads.mgr.approved' : 'leads.mgr.rejected'));
      setRejecting(null);
      setNote('');
    } catch (e) {
      message.error(errorText(e));
    }
    refresh();
  };
  return (
    <>
      <Table<LostRequest>
        size="small"
        rowKey="id"
        loading={requests.isLoading}
        pagination={false}
        dataSource={requests.data?.items ?? []}
        scroll={{ x: 640 }}
        locale={{ emptyText: t('leads.mgr.noLostRequests') }}
        data-testid="lost-requests"
        onRow={(r) => ({ 'data-testid': 'lost-request-row', 'data-lead-id': r.leadId }) as never}
        columns={[
          {
            title: t('leads.field.customer'),
            dataIndex: 'customerName',
            render: (v: string | null, r) => <Link to={`/leads/${r.leadId}`}>{v ?? t('leads.unnamed')}</Link>,
          },
          { title: t('leads.field.stage'), dataIndex: 'leadStage', render: (s: LostRequest['leadStage']) => <StageTag stage={s} /> },
          {
            title: t('leads.lost.reason'),
            dataIndex: 'reason',
            render: (v: string, r) => (
              <Space direction="vertical" size={0}>
                <span>{t(`leads.lostReason.${v}`)}</span>
                {r.note && <Typography.Text type="secondary">{r.note}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: t('leads.mgr.requestedBy'),
            key: 'by',
            render: (_: unknown, r) => `${r.requestedByName ?? '—'} · ${formatTime(r.requestedAt, tz)}`,
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, r) => (
              <Space>
                <Popconfirm
                  title={t('leads.mgr.approveConfirm')}
                  onConfirm={() => void decide(r, 'approve')}
                  okButtonProps={{ 'data-testid': 'lost-approve-ok' } as never}
                >
                  <Button size="small" type="primary" danger data-testid="lost-approve">
                    {t('leads.mgr.approve')}
                  </Button>
                </Popconfirm>
                <Button size="small" onClick={() => setRejecting(r)} data-testid="lost-reject">
                  {t('leads.mgr.reject')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={rejecting !== null}
        title={t('leads.mgr.rejectTitle')}
        onCancel={() => setRejecting(null)}
        onOk={() => rejecting && void decide(rejecting, 'reject', note.trim() || undefined)}
        okButtonProps={{ 'data-testid': 'lost-reject-ok' } as never}
        destroyOnHidden
      >
        <Input.TextArea
          rows={3}
          maxLength={1000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder={t('leads.mgr.rejectNote')}
        />
      </Modal>
    </>
  );
}

/**
 * The manager's view (leads.assign): team load, unassigned leads and the claim pool, SLA breaches,
 * bulk reassignment of selected leads, and lost requests to approve (leads.approve_lost). Roles that
 * only read leads see the breaches.
 */
export function ManagerSection() {
  const { t, i18n } = useTranslation();
  const { me, can } = useSession();
  const { message } = App.useApp();
  const refresh = useRefreshLeads();
  const errorText = useLeadErrorText();
  const units = useOrgUnits(false);
  const stores = useMemo(() => (units.data ?? []).filter((u) => u.type === 'store'), [units.data]);
  const own = stores.find((s) => s.id === me?.user.orgUnitId) ?? (stores.length === 1 ? stores[0] : undefined);
  const [picked, setPicked] = useState<string | null | undefined>(undefined);
  const storeId = picked === undefined ? own?.id : (picked ?? undefined);
  const [selected, setSelected] = useState<string[]>([]);
  const [target, setTarget] = useState<string>();
  const [outcome, setOutcome] = useState<{ moved: number; skipped: { id: string; reason: string }[] } | null>(null);
  const assigns = can('leads.assign');

  const unassigned = useQuery({
    queryKey: ['leads', 'manager', 'unassigned', storeId],
    enabled: assigns,
    refetchInterval: 30_000,
    queryFn: () => get<Page<LeadListItem>>(`/api/leads${qs({ unassigned: true, store: storeId, limit: 100 })}`),
  });
  const breaches = useQuery({
    queryKey: ['leads', 'manager', 'breached', storeId],
    refetchInterval: 60_000,
    queryFn: () => get<Page<LeadListItem>>(`/api/leads${qs({ sla: 'breached', store: storeId, limit: 100 })}`),
  });

  const reassign = async () => {
    if (!target || selected.length === 0) return;
    try {
      const r = await post<{ reassigned: string[]; skipped: { id: string; reason: string }[] }>('/api/leads/reassign', {
        leadIds: selected,
        userId: target,
      });
      setOutcome({ moved: r.reassigned.length, skipped: r.skipped });
      message.success(t('leads.mgr.reassigned', { count: r.reassigned.length }));
      setSelected([]);
    } catch (e) {
      message.error(errorText(e));
    }
    refresh();
  };

  const leadColumns = [
    {
      title: t('leads.field.customer'),
      key: 'customer',
      render: (_: unknown, l: LeadListItem) => (
        <Space direction="vertical" size={0}>
          <Link to={`/leads/${l.id}`}>{l.customerName ?? t('leads.unnamed')}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[l.phoneMasked, l.model].filter(Boolean).join(' · ')}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('leads.field.stage'), dataIndex: 'stage', render: (s: LeadListItem['stage']) => <StageTag stage={s} /> },
    { title: t('leads.field.sla'), key: 'sla', render: (_: unknown, l: LeadListItem) => <SlaCountdown lead={l} /> },
    { title: t('leads.field.store'), dataIndex: 'storeName', render: (v: string | null) => v ?? t('leads.unrouted') },
    {
      title: t('leads.field.owner'),
      key: 'owner',
      render: (_: unknown, l: LeadListItem) => l.ownerName ?? (l.claimUntil ? <Tag color="gold">{t('leads.inPool')}</Tag> : '—'),
    },
  ];
  const selection = assigns
    ? { selectedRowKeys: selected, onChange: (keys: Key[]) => setSelected(keys.map(String)), preserveSelectedRowKeys: true }
    : undefined;
  const breachRows = (breaches.data?.items ?? []).filter((l) => isOpen(l.stage));

  return (
    <Card
      size="small"
      title={t('leads.mgr.title')}
      data-testid="wb-manager"
      extra={
        stores.length > 1 && (
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            size="small"
            style={{ width: 200 }}
            placeholder={t('leads.mgr.allStores')}
            value={storeId}
            onChange={(v?: string) => setPicked(v ?? null)}
            options={stores.map((s) => ({ value: s.id, label: unitName(s, i18n.language) }))}
            data-testid="wb-store"
          />
        )
      }
    >
      <Row gutter={[16, 16]}>
        {assigns && (
          <Col xs={24} xl={10}>
            <Typography.Title level={5}>{t('leads.mgr.teamLoad')}</Typography.Title>
            {storeId ? <TeamLoad storeId={storeId} /> : <Typography.Text type="secondary">{t('leads.mgr.pickStore')}</Typography.Text>}
          </Col>
        )}
        {assigns && (
          <Col xs={24} xl={14}>
            <Typography.Title level={5}>{t('leads.mgr.unassigned')}</Typography.Title>
            <Table<LeadListItem>
              size="small"
              rowKey="id"
              loading={unassigned.isLoading}
              pagination={false}
              dataSource={unassigned.data?.items ?? []}
              rowSelection={selection}
              scroll={{ x: 560 }}
              locale={{ emptyText: t('leads.mgr.noUnassigned') }}
              data-testid="wb-unassigned"
              onRow={(l) => ({ 'data-testid': 'wb-unassigned-row', 'data-lead-id': l.id }) as never}
              columns={leadColumns}
            />
          </Col>
        )}
        <Col xs={24}>
          <Typography.Title level={5}>{t('leads.mgr.breaches')}</Typography.Title>
          <Table<LeadListItem>
            size="small"
            rowKey="id"
            loading={breaches.isLoading}
            pagination={false}
            dataSource={breachRows}
            rowSelection={selection}
            scroll={{ x: 560 }}
            locale={{ emptyText: t('leads.mgr.noBreaches') }}
            data-testid="wb-breaches"
            onRow={(l) => ({ 'data-testid': 'wb-breach-row', 'data-lead-id': l.id }) as never}
            columns={leadColumns}
          />
        </Col>
        {assigns && (
          <Col xs={24}>
            <Space wrap data-testid="bulk-reassign">
              <Typography.Text>{t('leads.mgr.selected', { count: selected.length })}</Typography.Text>
              <ConsultantSelect storeId={storeId} value={target} onChange={setTarget} testId="bulk-target" />
              <Button
                type="primary"
                disabled={!target || selected.length === 0}
                onClick={() => void reassign()}
                data-testid="bulk-reassign-go"
              >
                {t('leads.mgr.reassign')}
              </Button>
            </Space>
            {outcome && outcome.skipped.length > 0 && (
              <Alert
                style={{ marginTop: 8 }}
                type="warning"
                showIcon
                closable
                onClose={() => setOutcome(null)}
                message={t('leads.mgr.skipped', { count: outcome.skipped.length })}
                description={outcome.skipped.map((s) => s.reason).join('；')}
              />
            )}
          </Col>
        )}
        {can('leads.approve_lost') && (
          <Col xs={24}>
            <Typography.Title level={5}>{t('leads.mgr.lostRequests')}</Typography.Title>
            <LostRequests />
          </Col>
        )}
      </Row>
    </Card>
  );
}
