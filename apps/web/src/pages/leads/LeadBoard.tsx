import { MoreOutlined } from '@ant-design/icons';
import { FUNNEL_STAGES, LEAD_STAGES, type LeadFilters, type LeadListItem, type LeadStage, type LeadState } from '@forecourt/contracts';
import { useInfiniteQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { App, Badge, Button, Card, Dropdown, Empty, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, post, qs } from '../../api/client';
import { LoadMore } from '../../components/LoadMore';
import { SlaCountdown, useLeadErrorText, useRefreshLeads } from './shared';

type Page = { items: LeadListItem[]; nextCursor: string | null };

const COLUMN_COLOUR: Partial<Record<LeadStage, string>> = {
  new: '#1677ff',
  contacted: '#13c2c2',
  appointment: '#2f54eb',
  visited: '#722ed1',
  test_drive: '#eb2f96',
  deposit: '#faad14',
  order: '#fa8c16',
  delivered: '#52c41a',
};

function BoardCard({ lead, onMove }: { lead: LeadListItem; onMove: (lead: LeadListItem, to: LeadStage) => void }) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData('application/x-lead', JSON.stringify({ id: lead.id }));
        e.dataTransfer.effectAllowed = 'move';
      }}
      style={{ marginBottom: 8, cursor: 'grab' }}
      styles={{ body: { padding: 10 } }}
      data-testid="board-card"
      data-lead-id={lead.id}
    >
      <Space style={{ width: '100%', justifyContent: 'space-between' }} align="start">
        <Link to={`/leads/${lead.id}`} data-testid="board-card-open">
          <Typography.Text strong>{lead.customerName ?? t('leads.unnamed')}</Typography.Text>
        </Link>
        <Dropdown
          trigger={['click']}
          menu={{
            items: LEAD_STAGES.filter((s) => s !== lead.stage).map((s) => ({
              key: s,
              label: <span data-testid={`board-move-${s}`}>{t('leads.board.moveTo', { stage: t(`leads.stage.${s}`) })}</span>,
            })),
            onClick: ({ key }) => onMove(lead, key as LeadStage),
          }}
        >
          <Button size="small" type="text" icon={<MoreOutlined />} aria-label={t('leads.board.move')} data-testid="board-card-menu" />
        </Dropdown>
      </Space>
      <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
        {[lead.phoneMasked, lead.model].filter(Boolean).join(' · ') || '—'}
      </Typography.Text>
      <Space size={4} wrap style={{ marginTop: 4 }}>
        {lead.stage === 'new' && <SlaCountdown lead={lead} />}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {lead.ownerName ?? t('leads.noOwner')}
        </Typography.Text>
      </Space>
    </Card>
  );
}

function Column({ stage, filters, onMove }: { stage: LeadStage; filters: LeadFilters; onMove: (leadId: string, to: LeadStage) => void }) {
  const { t } = useTranslation();
  const [over, setOver] = useState(false);
  const list = useInfiniteQuery({
    queryKey: ['board', stage, filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => get<Page>(`/api/leads${qs({ ...filters, stage, limit: 20, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const more = list.hasNextPage ? '+' : '';
  return (
    <div
      data-testid={`board-column-${stage}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const raw = e.dataTransfer.getData('application/x-lead');
        if (!raw) return;
        onMove((JSON.parse(raw) as { id: string }).id, stage);
      }}
      style={{
        flex: '0 0 212px',
        background: over ? '#e6f4ff' : '#fafafa',
        border: '1px solid #f0f0f0',
        borderTop: `3px solid ${COLUMN_COLOUR[stage] ?? '#d9d9d9'}`,
        borderRadius: 6,
        padding: 8,
        minHeight: 320,
      }}
    >
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }}>
        <Typography.Text strong>{t(`leads.stage.${stage}`)}</Typography.Text>
        <Badge count={`${rows.length}${more}`} color="#8c8c8c" />
      </Space>
      {list.isLoading ? (
        <Spin />
      ) : rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} />
      ) : (
        rows.map((l) => <BoardCard key={l.id} lead={l} onMove={(x, to) => onMove(x.id, to)} />)
      )}
      <LoadMore list={list} />
    </div>
  );
}

/**
 * The kanban board by funnel stage. A card moves by drag and drop or its menu; the server decides
 * (forward only, with the facts on record) and a refusal shows its 409 sentence.
 */
export function LeadBoard({ filters }: { filters: LeadFilters }) {
  const { message } = App.useApp();
  const { t } = useTranslation();
  const client = useQueryClient();
  const refresh = useRefreshLeads();
  const errorText = useLeadErrorText();

  /** The card as its column loaded it (the move sends that version). */
  const find = (id: string): LeadListItem | undefined => {
    for (const [, data] of client.getQueriesData<InfiniteData<Page>>({ queryKey: ['board'] }))
      for (const page of data?.pages ?? []) for (const l of page.items) if (l.id === id) return l;
    return undefined;
  };
  const move = async (id: string, to: LeadStage) => {
    const lead = find(id);
    if (!lead || lead.stage === to) return;
    try {
      const r = await post<LeadState>(`/api/leads/${lead.id}/stage`, { stage: to, version: lead.version });
      message.success(t('leads.board.moved', { stage: t(`leads.stage.${r.stage}`) }));
    } catch (e) {
      message.error({ content: <span data-testid="board-error">{errorText(e)}</span>, duration: 8 });
    }
    refresh();
  };

  return (
    <div style={{ display: 'flex', gap: 12, overflowX: 'auto', paddingBottom: 8 }} data-testid="lead-board">
      {FUNNEL_STAGES.map((s) => (
        <Column key={s} stage={s} filters={filters} onMove={(id, to) => void move(id, to)} />
      ))}
    </div>
  );
}
