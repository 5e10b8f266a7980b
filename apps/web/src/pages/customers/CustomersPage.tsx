import { DeleteOutlined, DownloadOutlined, SaveOutlined } from '@ant-design/icons';
import { LifecycleStage, type CustomerFilters, type CustomerListItem } from '@forecourt/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Input, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { get, qs } from '../../api/client';
import { useSession } from '../../auth';
import { LoadMore } from '../../components/LoadMore';
import { SaveViewModal } from '../../components/SaveViewModal';
import { useSavedViews } from '../../components/useSavedViews';
import { unitName, useOrgUnits } from '../../components/orgUnits';
import { formatTime } from '../../format';

const SEEN_WITHIN = [7, 30, 90, 365];

/** Drops empty values, so a filter object is what the server and a saved view would hold. */
function compact(f: CustomerFilters): CustomerFilters {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== null && v !== '')) as CustomerFilters;
}

export function CustomersPage() {
  const { t, i18n } = useTranslation();
  const { me, can } = useSession();
  const navigate = useNavigate();
  const units = useOrgUnits(false);
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';

  // `draft` is what the inputs show; `filter` is what was last searched for.
  const [draft, setDraft] = useState<CustomerFilters>({});
  const [filter, setFilter] = useState<CustomerFilters>({});
  const { views, viewId, setViewId, naming, setNaming, saveView: saveNamedView, deleteView } = useSavedViews('customers');
  const saveView = () => saveNamedView(compact(draft));

  const apply = (next: CustomerFilters, fromView?: string) => {
    setDraft(next);
    setFilter(compact(next));
    setViewId(fromView);
  };
  const change = (patch: Partial<CustomerFilters>, immediate = true) => {
    const next = { ...draft, ...patch };
    if (immediate) apply(next);
    else setDraft(next);
  };

  const list = useInfiniteQuery({
    queryKey: ['customers', filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: CustomerListItem[]; nextCursor: string | null }>(`/api/customers${qs({ ...filter, limit: 50, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const active = compact(draft);
  return (
    <Card
      title={t('customers.title')}
      extra={
        can('customers.export') && (
          <Button icon={<DownloadOutlined />} href={`/api/customers/export${qs(filter)}`} data-testid="customers-export">
            {t('customers.export')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder={t('views.choose')}
          style={{ width: 220 }}
          value={viewId}
          loading={views.isLoading}
          notFoundContent={t('views.none')}
          data-testid="saved-views"
          onChange={(id?: string) => {
            const view = views.data?.find((v) => v.id === id);
            apply(view ? (view.filters as CustomerFilters) : {}, view?.id);
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
        <Button icon={<SaveOutlined />} disabled={Object.keys(active).length === 0} onClick={() => setNaming('')} data-testid="save-view">
          {t('views.save')}
        </Button>
        {Object.keys(active).length > 0 && (
          <Button type="link" onClick={() => apply({})} data-testid="clear-filters">
            {t('customers.clearFilters')}
          </Button>
        )}
      </Space>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          enterButton
          placeholder={t('customers.searchPlaceholder')}
          style={{ width: 400 }}
          value={draft.q ?? ''}
          onChange={(e) => change({ q: e.target.value }, false)}
          onSearch={(v) => (v.trim() === (filter.q ?? '') ? void list.refetch() : change({ q: v.trim() }))}
          data-testid="customer-search"
        />
        <Select
          allowClear
          placeholder={t('customers.anyStage')}
          style={{ width: 140 }}
          value={draft.stage}
          options={LifecycleStage.options.map((s) => ({ value: s, label: t(`stage.${s}`) }))}
          onChange={(stage) => change({ stage })}
          data-testid="customer-stage"
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('customers.anyStore')}
          style={{ width: 200 }}
          value={draft.store}
          loading={units.isLoading}
          options={(units.data ?? []).map((u) => ({ value: u.id, label: unitName(u, i18n.language) }))}
          onChange={(store) => change({ store })}
          data-testid="customer-store"
        />
        <Input
          allowClear
          placeholder={t('customers.cityFilter')}
          style={{ width: 120 }}
          value={draft.city ?? ''}
          onChange={(e) => change({ city: e.target.value }, e.target.value === '')}
          onPressEnter={() => apply(draft)}
          data-testid="customer-city"
        />
        <Input
          allowClear
          placeholder={t('customers.tagFilter')}
          style={{ width: 120 }}
          value={draft.tag ?? ''}
          onChange={(e) => change({ tag: e.target.value }, e.target.value === '')}
          onPressEnter={() => apply(draft)}
          data-testid="customer-tag"
        />
        <Select
          allowClear
          placeholder={t('customers.anyTime')}
          style={{ width: 150 }}
          value={draft.seenWithinDays}
          options={SEEN_WITHIN.map((d) => ({ value: d, label: t('customers.seenWithin', { count: d }) }))}
          onChange={(seenWithinDays) => change({ seenWithinDays })}
          data-testid="customer-seen"
        />
      </Space>
      <Table<CustomerListItem>
        rowKey="id"
        size="middle"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 900 }}
        data-testid="customers-table"
        onRow={(c) =>
          ({
            'data-testid': 'customer-row',
            style: { cursor: 'pointer' },
            onClick: () => navigate(`/customers/${c.id}`),
          }) as never
        }
        columns={[
          { title: t('customers.name'), dataIndex: 'name', render: (v: string | null) => v ?? t('customers.unnamed') },
          { title: t('customers.phone'), dataIndex: 'phoneMasked', render: (v: string | null) => v ?? '—' },
          { title: t('customers.city'), dataIndex: 'city', render: (v: string | null) => v ?? '—' },
          { title: t('customers.stage'), dataIndex: 'lifecycleStage', render: (v: string) => <Tag>{t(`stage.${v}`, v)}</Tag> },
          { title: t('customers.tags'), dataIndex: 'tags', render: (tags: string[]) => tags.map((x) => <Tag key={x}>{x}</Tag>) },
          { title: t('customers.lastSeen'), dataIndex: 'lastSeenAt', width: 150, render: (v: string) => formatTime(v, tz) },
        ]}
      />
      <LoadMore list={list} />
      <SaveViewModal naming={naming} setNaming={setNaming} onSave={() => void saveView()} />
    </Card>
  );
}
