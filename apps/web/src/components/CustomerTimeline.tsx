import type { TimelineEntry } from '@forecourt/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Card, Empty, Select, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, get, qs } from '../api/client';
import { useSession } from '../auth';
import { formatTime } from '../format';
import { LoadMore } from './LoadMore';

const TIMELINE_TYPES = ['lead', 'page', 'screen', 'track', 'identify', 'alias', 'group', 'consent', 'merge'];

/** A sales-pipeline entry (type `lead`) in words: `stage:visited` → 已到店, `call` → 通话 … */
function useEntryName() {
  const { t, i18n } = useTranslation();
  return (e: TimelineEntry): string | null => {
    if (!e.name) return null;
    if (e.type !== 'lead') return e.name;
    if (e.name.startsWith('stage:'))
      return t('leadEvent.stage', { stage: t(`leads.stage.${e.name.slice(6)}`, { defaultValue: e.name.slice(6) }) });
    const key = `leadEvent.${e.name.replace(/\s+/g, '_')}`;
    return i18n.exists(key) ? t(key) : e.name;
  };
}

/** Ids and internal codes say nothing to a person; a lead entry shows its facts and links to its lead. */
const HIDDEN = new Set(['leadId', 'activityId', 'orderId', 'storeId', 'from', 'to', 'reason', 'impliedBy', 'intake', 'direction']);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function LeadFacts({ properties, tz }: { properties: Record<string, unknown>; tz: string }) {
  const { t } = useTranslation();
  const facts = Object.entries(properties)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== null && v !== '' && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${typeof v === 'string' && ISO.test(v) ? formatTime(v, tz) : String(v)}`);
  const leadId = typeof properties.leadId === 'string' ? properties.leadId : null;
  return (
    <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 12 }}>
      {facts.join(' · ')}
      {leadId && (
        <>
          {facts.length > 0 && ' · '}
          <Link to={`/leads/${leadId}`}>{t('leadEvent.open')}</Link>
        </>
      )}
    </Typography.Paragraph>
  );
}

/**
 * A customer's 360 timeline, newest first, with a type filter and "load more": the customer page and
 * the lead page (beside the lead) both show it.
 */
export function CustomerTimeline({ profileId, title, extra }: { profileId: string; title?: ReactNode; extra?: ReactNode }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const [type, setType] = useState<string>();
  const entryName = useEntryName();
  const timeline = useInfiniteQuery({
    queryKey: ['customer-timeline', profileId, type],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: TimelineEntry[]; nextCursor: string | null }>(
        `/api/customers/${profileId}/timeline${qs({ type, limit: 50, cursor: pageParam })}`,
      ),
    getNextPageParam: (last) => last.nextCursor,
    retry: (count, e) => !(e instanceof ApiError && e.status < 500) && count < 2,
  });
  const rows = timeline.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card
      title={title ?? t('customer.timeline')}
      size="small"
      data-testid="timeline"
      extra={
        <Space>
          {extra}
          <Select
            allowClear
            size="small"
            placeholder={t('customer.anyType')}
            style={{ width: 120 }}
            options={TIMELINE_TYPES.map((x) => ({ value: x, label: x === 'lead' ? t('leadEvent.type') : x }))}
            onChange={setType}
            data-testid="timeline-type"
          />
        </Space>
      }
    >
      {timeline.isLoading ? (
        <Spin />
      ) : timeline.error ? (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={timeline.error instanceof ApiError ? timeline.error.display : String(timeline.error)}
        />
      ) : rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Timeline
          style={{ marginTop: 8 }}
          items={rows.map((e) => ({
            key: e.id,
            color: e.type === 'lead' ? 'green' : 'blue',
            children: (
              <div data-testid="timeline-item" data-type={e.type} data-name={e.name ?? ''}>
                <Space wrap>
                  <Typography.Text type="secondary">{formatTime(e.at, tz)}</Typography.Text>
                  <Tag>{e.type === 'lead' ? t('leadEvent.type') : e.type}</Tag>
                  {e.name && <Typography.Text strong>{entryName(e)}</Typography.Text>}
                  {e.sourceName && <Typography.Text type="secondary">· {e.sourceName}</Typography.Text>}
                </Space>
                {e.type === 'lead' ? (
                  <LeadFacts properties={e.properties} tz={tz} />
                ) : (
                  Object.keys(e.properties).length > 0 && (
                    <Typography.Paragraph type="secondary" ellipsis={{ rows: 2, expandable: true }} style={{ margin: 0, fontSize: 12 }}>
                      {JSON.stringify(e.properties)}
                    </Typography.Paragraph>
                  )
                )}
              </div>
            ),
          }))}
        />
      )}
      <LoadMore list={timeline} />
    </Card>
  );
}
