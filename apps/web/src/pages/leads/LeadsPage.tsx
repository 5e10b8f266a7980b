import { AppstoreOutlined, DeleteOutlined, PlusOutlined, SaveOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { LEAD_STAGES, type LeadFilters, type LeadListItem, type LeadSourceOption } from '@forecourt/contracts';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Input, Segmented, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, get, qs } from '../../api/client';
import { useSession } from '../../auth';
import { LoadMore } from '../../components/LoadMore';
import { SaveViewModal } from '../../components/SaveViewModal';
import { useSavedViews } from '../../components/useSavedViews';
import { unitName, useOrgUnits } from '../../components/orgUnits';
import { dayjs, formatTime } from '../../format';
import { useConsultants } from './ConsultantSelect';
import { LeadBoard } from './LeadBoard';
import { SlaCountdown, StageTag, vehicleText } from './shared';

const MODE_KEY = 'forecourt.leads.mode';

/** Drops empty values, so a filter object is what the server and a saved view would hold. */
function compact(f: LeadFilters): LeadFilters {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== null && v !== '')) as LeadFilters;
}

export function LeadsPage() {
  const { t, i18n } = useTranslation();
  const { me, can } = useSession();
  const navigate = useNavigate();
  const units = useOrgUnits(false);
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const [mode, setMode] = useState<'list' | 'board'>(() => (localStorage.getItem(MODE_KEY) === 'board' ? 'board' : 'list'));

  // `draft` is what the inputs show; `filter` is what was last searched for.
  // A link may preset the SLA filter (the breach notification opens /leads?sla=breached).
  const [params] = useSearchParams();
  const linkedSla = params.get('sla');
  const initial: LeadFilters =
    linkedSla === 'pending' || linkedSla === 'met' || linkedSla === 'breached' ? { sort: 'newest', sla: linkedSla } : { sort: 'newest' };
  const [draft, setDraft] = useState<LeadFilters>(initial);
  const [filter, setFilter] = useState<LeadFilters>(initial);
  const { views, viewId, setViewId, naming, setNaming, saveView: saveNamedView, deleteView } = useSavedViews('leads');
  const saveView = () => saveNamedView(compact(draft));

  const apply = (next: LeadFilters, fromView?: string) => {
    setDraft(next);
    setFilter(compact(next));
    setViewId(fromView);
  };
  const change = (patch: Partial<LeadFilters>, immediate = true) => {
    const next = { ...draft, ...patch };
    if (immediate) apply(next);
    else setDraft(next);
  };

  const list = useInfiniteQuery({
    queryKey: ['leads', 'list', filter],
    enabled: mode === 'list',
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: LeadListItem[]; nextCursor: string | null }>(`/api/leads${qs({ ...filter, limit: 50, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const sources = useQuery({
    queryKey: ['lead-sources'],
    queryFn: () => get<{ items: LeadSourceOption[] }>('/api/lead-sources').then((r) => r.items),
  });
  const people = useConsultants(undefined, me?.scope !== 'own');
  const active = compact(draft);
  const filtered = Object.keys(active).some((k) => k !== 'sort' || active.sort !== 'newest');
  // The board's columns are the stages, newest first in each.
  const { stage: _stage, ...others } = filter;
  const boardFilters: LeadFilters = { ...others, sort: 'newest' };
  const ownerOptions = [
    { value: 'me', label: t('leads.filter.mine') },
    ...(people.data ?? []).map((u) => ({ value: u.id, label: `${u.displayName} · ${u.login}` })),
  ];

  return (
    <Card
      title={t('leads.list.title')}
      extra={
        <Space wrap>
          <Segmented<'list' | 'board'>
            value={mode}
            onChange={(v) => {
              setMode(v);
              localStorage.setItem(MODE_KEY, v);
            }}
            options={[
              { value: 'list', icon: <UnorderedListOutlined />, label: <span data-testid="mode-list">{t('leads.list.list')}</span> },
              { value: 'board', icon: <AppstoreOutlined />, label: <span data-testid="mode-board">{t('leads.list.board')}</span> },
            ]}
            data-testid="leads-mode"
          />
          {can('leads.create') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/leads/new')} data-testid="leads-new">
              {t('leads.newLead')}
            </Button>
          )}
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder={t('views.choose')}
          style={{ width: 220 }}
          value={viewId}
          loading={views.isLoading}
          notFoundContent={views.error ? (views.error instanceof ApiError ? views.error.display : String(views.error)) : t('views.none')}
          data-testid="saved-views"
          onChange={(id?: string) => {
            const view = views.data?.find((v) => v.id === id);
            apply(view ? { sort: 'newest', ...(view.filters as LeadFilters) } : { sort: 'newest' }, view?.id);
          }}
          options={(views.data ?? []).map((v) => ({ value: v.id, label: v.name }))}
          optionRender={(o) => {
            const view = views.data?.find((v) => v.id === o.value);
            return (
              <Space style={{ width: '100%', justifyContent: 'space-between' }} data-testid="saved-view-option">
                <span>{o.label}</span>
                {view && (
                  <DeleteOutlined
                    aria-label={t('views.delete')}
                    data-testid="saved-view-delete"
                    onClick={(e) => {
                      e.stopPropagation();
                      void deleteView(view);
                    }}
                  />
                )}
              </Space>
            );
          }}
        />
        <Button icon={<SaveOutlined />} disabled={!filtered} onClick={() => setNaming('')} data-testid="save-view">
          {t('views.save')}
        </Button>
        {filtered && (
          <Button type="link" onClick={() => apply({ sort: 'newest' })} data-testid="clear-filters">
            {t('customers.clearFilters')}
          </Button>
        )}
      </Space>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          enterButton
          placeholder={t('leads.filter.search')}
          style={{ width: 260 }}
          value={draft.q ?? ''}
          onChange={(e) => change({ q: e.target.value }, e.target.value === '')}
          onSearch={(v) => change({ q: v.trim() })}
          data-testid="leads-search"
        />
        {mode === 'list' && (
          <Select
            allowClear
            placeholder={t('leads.filter.anyStage')}
            style={{ width: 130 }}
            value={draft.stage}
            options={LEAD_STAGES.map((s) => ({ value: s, label: t(`leads.stage.${s}`) }))}
            onChange={(stage) => change({ stage })}
            data-testid="leads-stage"
          />
        )}
        {(units.data?.length ?? 0) > 1 && (
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder={t('leads.filter.anyStore')}
            style={{ width: 190 }}
            value={draft.store}
            loading={units.isLoading}
            options={(units.data ?? []).filter((u) => u.type !== 'team').map((u) => ({ value: u.id, label: unitName(u, i18n.language) }))}
            onChange={(store) => change({ store })}
            data-testid="leads-store"
          />
        )}
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('leads.filter.anyOwner')}
          style={{ width: 180 }}
          value={draft.owner}
          options={ownerOptions}
          onChange={(owner) => change({ owner })}
          data-testid="leads-owner"
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('leads.filter.anySource')}
          style={{ width: 180 }}
          value={draft.source}
          loading={sources.isLoading}
          options={(sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          onChange={(source) => change({ source })}
          data-testid="leads-source"
        />
        <Select
          allowClear
          placeholder={t('leads.filter.anySla')}
          style={{ width: 130 }}
          value={draft.sla}
          options={(['pending', 'met', 'breached'] as const).map((s) => ({ value: s, label: t(`leads.sla.${s}`) }))}
          onChange={(sla) => change({ sla })}
          data-testid="leads-sla"
        />
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          placeholder={[t('leads.filter.createdFrom'), t('leads.filter.createdTo')]}
          value={[draft.createdFrom ? dayjs(draft.createdFrom) : null, draft.createdTo ? dayjs(draft.createdTo).subtract(1, 'day') : null]}
          onChange={(range) =>
            change({
              createdFrom: range?.[0] ? range[0].startOf('day').toISOString() : undefined,
              createdTo: range?.[1] ? range[1].startOf('day').add(1, 'day').toISOString() : undefined,
            })
          }
          data-testid="leads-created"
        />
        {mode === 'list' && (
          <Select
            style={{ width: 150 }}
            value={draft.sort ?? 'newest'}
            options={[
              { value: 'newest', label: t('leads.filter.newest') },
              { value: 'due', label: t('leads.filter.dueSoonest') },
            ]}
            onChange={(sort) => change({ sort })}
            data-testid="leads-sort"
          />
        )}
      </Space>
      {mode === 'board' ? (
        <LeadBoard filters={boardFilters} />
      ) : (
        <>
          <Table<LeadListItem>
            rowKey="id"
            size="middle"
            loading={list.isLoading}
            dataSource={rows}
            pagination={false}
            scroll={{ x: 1100 }}
            data-testid="leads-table"
            onRow={(l) =>
              ({
                'data-testid': 'lead-row',
                'data-lead-id': l.id,
                style: { cursor: 'pointer' },
                onClick: () => navigate(`/leads/${l.id}`),
              }) as never
            }
            columns={[
              {
                title: t('leads.field.customer'),
                dataIndex: 'customerName',
                render: (v: string | null, l) => (
                  <Space size={4}>
                    <span>{v ?? t('leads.unnamed')}</span>
                    {l.priority === 'high' && <Tag color="red">{t('leads.priorityHigh')}</Tag>}
                  </Space>
                ),
              },
              { title: t('leads.field.phone'), dataIndex: 'phoneMasked', render: (v: string | null) => v ?? '—' },
              { title: t('leads.field.stage'), dataIndex: 'stage', render: (s: LeadListItem['stage']) => <StageTag stage={s} /> },
              { title: t('leads.field.sla'), key: 'sla', width: 150, render: (_: unknown, l) => <SlaCountdown lead={l} /> },
              { title: t('leads.field.source'), dataIndex: 'sourceName', render: (v: string | null) => v ?? '—' },
              {
                title: t('leads.field.vehicle'),
                key: 'vehicle',
                render: (_: unknown, l) => vehicleText(l) || '—',
              },
              { title: t('leads.field.store'), dataIndex: 'storeName', render: (v: string | null) => v ?? t('leads.unrouted') },
              {
                title: t('leads.field.owner'),
                dataIndex: 'ownerName',
                render: (v: string | null, l) => v ?? (l.claimUntil ? <Tag color="gold">{t('leads.inPool')}</Tag> : '—'),
              },
              { title: t('leads.field.created'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatTime(v, tz) },
            ]}
          />
          <LoadMore list={list} />
        </>
      )}
      <SaveViewModal naming={naming} setNaming={setNaming} onSave={() => void saveView()} />
    </Card>
  );
}
