import { MergeOutlined, ScanOutlined, StopOutlined } from '@ant-design/icons';
import type { DuplicatePage, DuplicatePair, IdentityReview, ProfileSummary } from '@forecourt/contracts';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Empty, List, Progress, Space, Spin, Table, Tabs, Tag, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, get, post, qs } from '../../api/client';
import { useSession } from '../../auth';
import { LoadMore } from '../../components/LoadMore';
import { formatTime } from '../../format';

type Field = 'name' | 'phoneMasked' | 'emailMasked' | 'city' | 'vehicleOfInterest' | 'storeName' | 'firstSeenAt' | 'lastSeenAt';
const FIELDS: Field[] = ['name', 'phoneMasked', 'emailMasked', 'city', 'vehicleOfInterest', 'storeName', 'firstSeenAt', 'lastSeenAt'];
/** Fields where a difference is evidence; the seen times always differ and are shown for context. */
const COMPARED = new Set<Field>(['name', 'phoneMasked', 'emailMasked', 'city', 'vehicleOfInterest', 'storeName']);
const DIFFERENT = '#fff1b8';

/** '上海' and '上海市', 'ID.4' and 'id4' are the same value to a reader. */
const normal = (v: string | null) =>
  (v ?? '')
    .toLowerCase()
    .replace(/[\s.\-_]/g, '')
    .replace(/市$/, '');

export function DuplicatesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [tab, setTab] = useState('pairs');
  const [scanning, setScanning] = useState(false);
  const pairs = useQuery({ queryKey: ['duplicates'], queryFn: () => get<DuplicatePage>(`/api/identity/duplicates${qs({ limit: 50 })}`) });

  const scan = async () => {
    setScanning(true);
    try {
      const r = await post<{ pairsQueued: number; profiles: number }>('/api/identity/duplicates/scan');
      message.success(t('duplicates.scanned', { profiles: r.profiles, pairs: r.pairsQueued }));
      await client.invalidateQueries({ queryKey: ['duplicates'] });
    } catch (e) {
      message.error(e instanceof ApiError ? e.display : String(e));
    } finally {
      setScanning(false);
    }
  };

  return (
    <Card
      title={t('duplicates.title')}
      extra={
        <Button icon={<ScanOutlined />} loading={scanning} onClick={() => void scan()} data-testid="duplicates-scan">
          {t('duplicates.scanNow')}
        </Button>
      }
    >
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'pairs',
            label: (
              <span data-testid="tab-pairs">
                {t('duplicates.pairsTab')} <Badge count={pairs.data?.total ?? 0} showZero color="#1677ff" overflowCount={999} />
              </span>
            ),
            children: <PairQueue pairs={pairs} />,
          },
          { key: 'reviews', label: <span data-testid="tab-reviews">{t('duplicates.reviewsTab')}</span>, children: <IdentityReviews /> },
        ]}
      />
    </Card>
  );
}

function PairQueue({ pairs }: { pairs: { data?: DuplicatePage; isLoading: boolean; error: unknown } }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const [skipped, setSkipped] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  if (pairs.isLoading) return <Spin />;
  if (pairs.error) return <Empty description={pairs.error instanceof ApiError ? pairs.error.display : String(pairs.error)} />;
  const key = (p: DuplicatePair) => `${p.a.id}/${p.b.id}`;
  const waiting = (pairs.data?.items ?? []).filter((p) => !skipped.includes(key(p)));
  const pair = waiting[0];
  if (!pair) {
    return (
      <Empty description={t('duplicates.noPairs')} data-testid="pairs-empty">
        {skipped.length > 0 && <Button onClick={() => setSkipped([])}>{t('duplicates.showSkipped', { n: skipped.length })}</Button>}
      </Empty>
    );
  }

  /** Take the pair off the queue here and in the cache, so the next one shows at once; refetch when the page runs low. */
  const done = (p: DuplicatePair) => {
    client.setQueryData<DuplicatePage>(['duplicates'], (old) =>
      old ? { ...old, items: old.items.filter((x) => key(x) !== key(p)), total: Math.max(0, old.total - 1) } : old,
    );
    if (waiting.length <= 5) void client.invalidateQueries({ queryKey: ['duplicates'] });
  };
  const decide = async (decision: 'merge' | 'not_same') => {
    setBusy(true);
    try {
      await post(`/api/identity/duplicates/${pair.a.id}/${pair.b.id}/decision`, { decision });
      message.success(decision === 'merge' ? t('duplicates.merged') : t('duplicates.notSameSaved'));
      done(pair);
      if (decision === 'merge') void client.invalidateQueries({ queryKey: ['customer'] });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && (e.details as { reason?: string } | undefined)?.reason === 'identity_limit') {
        message.warning(t('duplicates.identityLimit'));
      } else if (e instanceof ApiError && (e.status === 409 || e.status === 404)) {
        message.warning(t('duplicates.alreadyDecided'));
        done(pair);
      } else message.error(e instanceof ApiError ? e.display : String(e));
    } finally {
      setBusy(false);
    }
  };

  const show = (p: ProfileSummary, f: Field): ReactNode => {
    const v = p[f];
    if (v === null || v === '') return <Typography.Text type="secondary">—</Typography.Text>;
    if (f === 'firstSeenAt' || f === 'lastSeenAt') return formatTime(v, tz);
    if (f === 'phoneMasked' || f === 'emailMasked') return <Typography.Text code>{v}</Typography.Text>;
    return v;
  };
  // A value missing on one side is no evidence either way (the scorer ignores it too): only two values that disagree light up.
  const differs = (f: Field) => COMPARED.has(f) && !!pair.a[f] && !!pair.b[f] && normal(pair.a[f]) !== normal(pair.b[f]);
  const side = (p: ProfileSummary, which: 'a' | 'b') => (
    <Space>
      <span>{t(`duplicates.side_${which}`)}</span>
      <Link to={`/customers/${p.id}`} target="_blank" data-testid={`pair-link-${which}`}>
        {t('duplicates.open360')}
      </Link>
    </Space>
  );
  const percent = Math.round(pair.score * 100);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="pair" data-pair={key(pair)}>
      <Space wrap align="center">
        <Typography.Text type="secondary" data-testid="pair-waiting">
          {t('duplicates.waiting', { n: pairs.data?.total ?? waiting.length })}
        </Typography.Text>
        <Progress type="circle" size={44} percent={percent} format={() => `${percent}`} />
        <Typography.Text>{t('duplicates.score')}</Typography.Text>
        <span data-testid="pair-reasons">
          {pair.reasons.map((r) => (
            <Tag key={r} color={r.endsWith('_different') ? 'orange' : 'blue'}>
              {t(`duplicates.reason.${r}`, r)}
            </Tag>
          ))}
        </span>
      </Space>
      <Table<{ field: Field }>
        rowKey="field"
        size="middle"
        pagination={false}
        bordered
        data-testid="pair-compare"
        dataSource={FIELDS.map((field) => ({ field }))}
        onRow={(r) => ({ 'data-testid': `compare-${r.field}`, 'data-different': String(differs(r.field)) }) as never}
        columns={[
          {
            title: '',
            dataIndex: 'field',
            width: 140,
            render: (f: Field) => <Typography.Text strong>{t(`duplicates.field.${f}`)}</Typography.Text>,
          },
          {
            title: side(pair.a, 'a'),
            key: 'a',
            onCell: (r) => ({ style: differs(r.field) ? { background: DIFFERENT } : {} }),
            render: (_: unknown, r) => show(pair.a, r.field),
          },
          {
            title: side(pair.b, 'b'),
            key: 'b',
            onCell: (r) => ({ style: differs(r.field) ? { background: DIFFERENT } : {} }),
            render: (_: unknown, r) => show(pair.b, r.field),
          },
        ]}
      />
      <Typography.Text type="secondary">{t('duplicates.mergeHint')}</Typography.Text>
      <Space>
        <Button type="primary" icon={<MergeOutlined />} loading={busy} onClick={() => void decide('merge')} data-testid="pair-merge">
          {t('duplicates.merge')}
        </Button>
        <Button danger icon={<StopOutlined />} disabled={busy} onClick={() => void decide('not_same')} data-testid="pair-not-same">
          {t('duplicates.notSame')}
        </Button>
        <Button type="link" disabled={busy} onClick={() => setSkipped((s) => [...s, key(pair)])} data-testid="pair-skip">
          {t('duplicates.skip')}
        </Button>
      </Space>
    </Space>
  );
}

function IdentityReviews() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const [busy, setBusy] = useState<string | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['identity-reviews'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: IdentityReview[]; nextCursor: string | null }>(`/api/identity/reviews${qs({ limit: 20, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const decide = async (review: IdentityReview, decision: 'merge' | 'shared' | 'dismiss') => {
    setBusy(review.id);
    try {
      await post(`/api/identity/reviews/${review.id}/decision`, { decision });
      message.success(t(`duplicates.reviewDone.${decision}`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && (e.details as { reason?: string } | undefined)?.reason === 'identity_limit') {
        message.warning(t('duplicates.identityLimit'));
      } else message.error(e instanceof ApiError ? e.display : String(e));
    } finally {
      setBusy(null);
      void client.invalidateQueries({ queryKey: ['identity-reviews'] });
    }
  };

  if (list.isLoading) return <Spin />;
  return (
    <>
      <List
        dataSource={rows}
        locale={{ emptyText: <Empty description={t('duplicates.noReviews')} /> }}
        renderItem={(r) => (
          <List.Item key={r.id} data-testid="review-item" style={{ display: 'block' }}>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Space wrap>
                <Typography.Text strong>{t(`identityType.${r.identityType}`, r.identityType)}</Typography.Text>
                <Typography.Text code>{r.masked}</Typography.Text>
                <Tag color="orange">{t(`duplicates.reviewReason.${r.reason}`, r.reason)}</Tag>
                <Typography.Text type="secondary">{formatTime(r.createdAt, tz)}</Typography.Text>
              </Space>
              <Table<ProfileSummary>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={r.profiles}
                columns={[
                  {
                    title: t('duplicates.field.name'),
                    dataIndex: 'name',
                    render: (v: string | null, p) => <Link to={`/customers/${p.id}`}>{v ?? t('customers.unnamed')}</Link>,
                  },
                  { title: t('duplicates.field.phoneMasked'), dataIndex: 'phoneMasked', render: (v: string | null) => v ?? '—' },
                  { title: t('duplicates.field.emailMasked'), dataIndex: 'emailMasked', render: (v: string | null) => v ?? '—' },
                  { title: t('duplicates.field.city'), dataIndex: 'city', render: (v: string | null) => v ?? '—' },
                  { title: t('duplicates.field.storeName'), dataIndex: 'storeName', render: (v: string | null) => v ?? '—' },
                  { title: t('duplicates.field.lastSeenAt'), dataIndex: 'lastSeenAt', render: (v: string) => formatTime(v, tz) },
                ]}
              />
              <Space wrap>
                <Button
                  type="primary"
                  icon={<MergeOutlined />}
                  loading={busy === r.id}
                  disabled={r.profiles.length < 2}
                  onClick={() => void decide(r, 'merge')}
                  data-testid="review-merge"
                >
                  {t('duplicates.reviewMerge')}
                </Button>
                <Button disabled={busy === r.id} onClick={() => void decide(r, 'shared')} data-testid="review-shared">
                  {t('duplicates.reviewShared')}
                </Button>
                <Button type="link" disabled={busy === r.id} onClick={() => void decide(r, 'dismiss')} data-testid="review-dismiss">
                  {t('duplicates.reviewDismiss')}
                </Button>
              </Space>
            </Space>
          </List.Item>
        )}
      />
      <LoadMore list={list} />
    </>
  );
}
