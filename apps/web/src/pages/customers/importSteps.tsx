import { DownloadOutlined } from '@ant-design/icons';
import {
  ConsentChannel,
  ConsentPurpose,
  IMPORT_IDENTITY_TYPES,
  TRAIT_FIELDS,
  type ImportPreview,
  type ImportRowError,
  type ImportView,
  type MappingColumn,
  type PreviewRow,
} from '@forecourt/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Input, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../api/client';
import { LoadMore } from '../../components/LoadMore';

const CUSTOM = '__custom';

/** The choices of a column's select, grouped: identities, traits, tags, consent, custom, ignore. */
function fieldOptions(t: TFunction) {
  const consent = ConsentPurpose.options.flatMap((p) =>
    ConsentChannel.options.map((c) => ({
      value: `consent:${p}:${c}`,
      label: t('imports.consentField', { purpose: t(`consentPurpose.${p}`), channel: t(`consentChannel.${c}`) }),
    })),
  );
  return [
    { label: t('imports.groupIdentity'), options: IMPORT_IDENTITY_TYPES.map((f) => ({ value: f, label: t(`importField.${f}`) })) },
    {
      label: t('imports.groupTrait'),
      options: [
        ...TRAIT_FIELDS.map((f) => ({ value: f, label: t(`importField.${f}`) })),
        { value: CUSTOM, label: t('imports.customTrait') },
      ],
    },
    { label: t('imports.groupOther'), options: [{ value: 'tags', label: t('importField.tags') }, ...consent] },
    { label: t('imports.groupIgnore'), options: [{ value: 'ignore', label: t('importField.ignore') }] },
  ];
}

export function fieldLabel(t: TFunction, field: string): string {
  if (field.startsWith('trait:')) return `${t('imports.customTrait')}: ${field.slice(6)}`;
  if (field.startsWith('consent:')) {
    const [, p, c] = field.split(':');
    return t('imports.consentField', { purpose: t(`consentPurpose.${p}`), channel: t(`consentChannel.${c}`) });
  }
  return t(`importField.${field}`, field);
}

/** Step 2: every column of the file with its header, masked samples, and the field it goes to. */
export function MappingStep({
  preview,
  columns,
  onChange,
}: {
  preview: ImportPreview;
  columns: MappingColumn[];
  onChange: (columns: MappingColumn[]) => void;
}) {
  const { t } = useTranslation();
  const options = fieldOptions(t);
  const set = (index: number, change: Partial<MappingColumn>) =>
    onChange(columns.map((c) => (c.index === index ? ({ ...c, ...change } as MappingColumn) : c)));
  return (
    <Table<MappingColumn>
      rowKey="index"
      size="small"
      pagination={false}
      dataSource={columns}
      scroll={{ x: 900 }}
      data-testid="mapping-table"
      columns={[
        { title: '#', dataIndex: 'index', width: 50, render: (i: number) => i + 1 },
        {
          title: t('imports.header'),
          key: 'header',
          width: 180,
          render: (_: unknown, c: MappingColumn) => preview.headers[c.index] || <Typography.Text type="secondary">—</Typography.Text>,
        },
        {
          title: t('imports.samples'),
          key: 'samples',
          render: (_: unknown, c: MappingColumn) => (
            <span data-testid="mapping-samples">
              {(preview.samples[c.index] ?? []).map((s) => (
                <Tag key={s}>{s}</Tag>
              ))}
            </span>
          ),
        },
        {
          title: t('imports.field'),
          key: 'field',
          width: 340,
          render: (_: unknown, c: MappingColumn) => {
            const custom = c.field.startsWith('trait:');
            return (
              <Space direction="vertical" size={4} style={{ width: '100%' }}>
                <Select
                  showSearch
                  optionFilterProp="label"
                  style={{ width: '100%' }}
                  value={custom ? CUSTOM : c.field}
                  options={options}
                  data-testid={`mapping-field-${c.index}`}
                  onChange={(v: string) =>
                    set(c.index, {
                      field: (v === CUSTOM ? `trait:${customKey(preview.headers[c.index])}` : v) as MappingColumn['field'],
                      appId: undefined,
                      unit: v === 'budget' ? 'yuan' : undefined,
                    })
                  }
                />
                {custom && (
                  <Input
                    addonBefore={t('imports.traitKey')}
                    value={c.field.slice(6)}
                    onChange={(e) => set(c.index, { field: `trait:${e.target.value.trim()}` as MappingColumn['field'] })}
                  />
                )}
                {c.field === 'wechat_openid' && (
                  <Input
                    addonBefore="App ID"
                    value={c.appId ?? ''}
                    onChange={(e) => set(c.index, { appId: e.target.value.trim() || undefined })}
                  />
                )}
                {c.field === 'budget' && (
                  <Select
                    value={c.unit ?? 'yuan'}
                    onChange={(unit: 'yuan' | 'wan') => set(c.index, { unit })}
                    options={[
                      { value: 'yuan', label: t('imports.unitYuan') },
                      { value: 'wan', label: t('imports.unitWan') },
                    ]}
                  />
                )}
              </Space>
            );
          },
        },
      ]}
    />
  );
}

/** A custom trait key from a header: lower snake_case ASCII, or a neutral default for a Chinese header. */
function customKey(header: string | undefined): string {
  const key = (header ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z][a-z0-9_]{0,63}$/.test(key) ? key : 'custom_field';
}

const STATUS_COLOR: Record<PreviewRow['status'], string> = { ok: 'green', error: 'red', skip: 'default' };

/** Step 3: the first rows as the import will read them, with each row's problems. */
export function PreviewStep({ preview }: { preview: ImportPreview }) {
  const { t } = useTranslation();
  const mapped = preview.mapping.columns.filter((c) => c.field !== 'ignore');
  return (
    <Table<PreviewRow>
      rowKey="line"
      size="small"
      pagination={false}
      dataSource={preview.rows}
      scroll={{ x: 300 + mapped.length * 140 }}
      data-testid="preview-table"
      onRow={(r) => ({ 'data-testid': `preview-row-${r.status}` }) as never}
      columns={[
        { title: t('imports.line'), dataIndex: 'line', width: 70, fixed: 'left' },
        {
          title: t('common.status'),
          dataIndex: 'status',
          width: 90,
          render: (s: PreviewRow['status']) => <Tag color={STATUS_COLOR[s]}>{t(`imports.row_${s}`)}</Tag>,
        },
        ...mapped.map((c) => ({
          title: `${preview.headers[c.index] || `#${c.index + 1}`} → ${fieldLabel(t, c.field)}`,
          key: `c${c.index}`,
          width: 140,
          render: (_: unknown, r: PreviewRow) => r.cells[c.index] ?? '',
        })),
        {
          title: t('imports.problems'),
          key: 'errors',
          width: 320,
          render: (_: unknown, r: PreviewRow) =>
            r.errors.length === 0 ? (
              '—'
            ) : (
              <Typography.Text type="danger" data-testid="preview-error">
                {r.errors.map((e) => e.message).join('; ')}
              </Typography.Text>
            ),
        },
      ]}
    />
  );
}

/** Step 4: the job's progress, polled. */
export function ProgressStep({ view }: { view: ImportView }) {
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Progress
        percent={view.percent}
        status={view.status === 'failed' ? 'exception' : view.status === 'done' ? 'success' : 'active'}
        format={(percent) => `${percent ?? 0}%`}
        data-testid="import-progress"
      />
      <Counts view={view} />
    </Space>
  );
}

export function Counts({ view }: { view: ImportView }) {
  const { t } = useTranslation();
  return (
    <Descriptions size="small" column={{ xs: 1, sm: 2, md: 4 }} bordered data-testid="import-counts">
      <Descriptions.Item label={t('imports.processed')}>
        <span data-testid="import-processed">
          {view.processedRows.toLocaleString()}
          {view.totalRows !== null ? ` / ${view.totalRows.toLocaleString()}` : ''}
        </span>
      </Descriptions.Item>
      <Descriptions.Item label={t('imports.okRows')}>
        <span data-testid="import-ok">{view.okRows.toLocaleString()}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('imports.errorRows')}>
        <span data-testid="import-errors">{view.errorRows.toLocaleString()}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('imports.duplicateRows')}>
        <span data-testid="import-duplicates">{view.duplicateRows.toLocaleString()}</span>
      </Descriptions.Item>
      <Descriptions.Item label={view.dryRun ? t('imports.wouldCreate') : t('imports.newProfiles')}>
        {view.outcome.newProfiles.toLocaleString()}
      </Descriptions.Item>
      <Descriptions.Item label={view.dryRun ? t('imports.wouldMatch') : t('imports.matchedRows')}>
        {view.outcome.matchedRows.toLocaleString()}
      </Descriptions.Item>
      <Descriptions.Item label={t('imports.merges')}>{view.outcome.merges.toLocaleString()}</Descriptions.Item>
      <Descriptions.Item label={t('imports.speed')}>
        {view.rowsPerSecond !== null ? t('imports.rowsPerSecond', { n: view.rowsPerSecond.toLocaleString() }) : '—'}
      </Descriptions.Item>
    </Descriptions>
  );
}

interface ErrorLine {
  key: string;
  line: number;
  column: number;
  field: string;
  value: string;
  message: string;
}

/** The rejected rows, one line per problem, with a download of them all as CSV. */
export function ErrorList({ view }: { view: ImportView }) {
  const { t } = useTranslation();
  const errors = useInfiniteQuery({
    queryKey: ['import-errors', view.id, view.errorRows],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: ImportRowError[]; nextCursor: string | null }>(`/api/imports/${view.id}/errors${qs({ limit: 100, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const lines: ErrorLine[] = (errors.data?.pages.flatMap((p) => p.items) ?? []).flatMap((r) =>
    r.errors.map((e, i) => ({ key: `${r.line}-${i}`, line: r.line, ...e })),
  );
  if (view.errorRows === 0) return <Alert type="success" showIcon message={t('imports.noErrors')} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('imports.errorsTitle', { n: view.errorRows.toLocaleString() })}
        </Typography.Title>
        <Button icon={<DownloadOutlined />} href={`/api/imports/${view.id}/errors.csv`} data-testid="import-errors-download">
          {t('imports.downloadErrors')}
        </Button>
      </Space>
      <Table<ErrorLine>
        rowKey="key"
        size="small"
        pagination={false}
        loading={errors.isLoading}
        dataSource={lines}
        data-testid="import-errors-table"
        onRow={() => ({ 'data-testid': 'import-error-row' }) as never}
        columns={[
          { title: t('imports.line'), dataIndex: 'line', width: 80 },
          { title: t('imports.column'), dataIndex: 'column', width: 80, render: (c: number) => c + 1 },
          { title: t('imports.field'), dataIndex: 'field', width: 160, render: (f: string) => fieldLabel(t, f) },
          { title: t('imports.value'), dataIndex: 'value', width: 160 },
          { title: t('imports.message'), dataIndex: 'message' },
        ]}
      />
      <LoadMore list={errors} />
    </Space>
  );
}
