import type { LeadMappingPreview, Source, SourceLeadMapping } from '@forecourt/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Col, Input, Modal, Row, Space, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get, post, put } from '../../api/client';

/** A starting point: the common shape of a vertical-media push (a list of clues under data.list). */
const TEMPLATE = {
  records: 'data.list',
  fields: {
    externalId: 'clue_id',
    'customer.name': 'user_name',
    'customer.phone': 'mobile',
    'vehicle.series': 'series_name',
    'customer.city': 'city_name',
    requestedAt: 'create_time',
  },
};
const SAMPLE = {
  data: {
    list: [
      {
        clue_id: 'C-1001',
        user_name: '韩梅梅',
        mobile: '13900138555',
        series_name: '星驰 S7',
        city_name: '杭州市',
        create_time: 1764000000,
      },
    ],
  },
};

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * How POST /v1/leads reads a lead platform's own JSON: a mapping from our lead fields to paths in one
 * record, tried on a sample body before it is saved.
 */
export function LeadMappingModal({ source, onClose }: { source: Source; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const current = useQuery({
    queryKey: ['lead-mapping', source.id],
    queryFn: () => get<SourceLeadMapping>(`/api/sources/${source.id}/lead-mapping`),
  });
  const [mapping, setMapping] = useState('');
  const [sample, setSample] = useState(JSON.stringify(SAMPLE, null, 2));
  const [preview, setPreview] = useState<LeadMappingPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (current.data) setMapping(JSON.stringify(current.data.mapping ?? TEMPLATE, null, 2));
  }, [current.data]);

  const parsedMapping = () => {
    const m = parseJson(mapping);
    if (!m.ok) setError(`${t('leadMapping.mapping')}: ${m.error}`);
    return m;
  };
  const tryIt = async () => {
    setError(null);
    const m = parsedMapping();
    const s = parseJson(sample);
    if (!m.ok) return;
    if (!s.ok) return setError(`${t('leadMapping.sample')}: ${s.error}`);
    try {
      setPreview(await post<LeadMappingPreview>(`/api/sources/${source.id}/lead-mapping/preview`, { mapping: m.value, sample: s.value }));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const save = async () => {
    setError(null);
    const m = parsedMapping();
    if (!m.ok) return;
    try {
      await put(`/api/sources/${source.id}/lead-mapping`, { mapping: m.value });
      message.success(t('leadMapping.saved'));
      onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  return (
    <Modal
      open
      width={960}
      title={`${t('leadMapping.title')} · ${source.name}`}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void tryIt()} data-testid="mapping-preview">
            {t('leadMapping.preview')}
          </Button>
          <Button type="primary" onClick={() => void save()} data-testid="mapping-save">
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('leadMapping.help')}</Typography.Paragraph>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Typography.Text strong>{t('leadMapping.mapping')}</Typography.Text>
          <Input.TextArea
            data-testid="mapping-json"
            value={mapping}
            onChange={(e) => setMapping(e.target.value)}
            autoSize={{ minRows: 12, maxRows: 20 }}
            style={{ fontFamily: 'monospace', fontSize: 12 }}
          />
        </Col>
        <Col xs={24} md={12}>
          <Typography.Text strong>{t('leadMapping.sample')}</Typography.Text>
          <Input.TextArea
            data-testid="mapping-sample"
            value={sample}
            onChange={(e) => setSample(e.target.value)}
            autoSize={{ minRows: 12, maxRows: 20 }}
            style={{ fontFamily: 'monospace', fontSize: 12 }}
          />
        </Col>
      </Row>
      {error && <Alert type="error" showIcon style={{ marginTop: 12 }} message={error} data-testid="mapping-error" />}
      {preview && (
        <div style={{ marginTop: 12 }} data-testid="mapping-result">
          <Table
            size="small"
            rowKey={(_, i) => String(i)}
            pagination={false}
            dataSource={preview.leads}
            columns={[
              { title: t('leadMapping.externalId'), render: (_: unknown, l) => l.externalId ?? '—' },
              { title: t('leadMapping.name'), render: (_: unknown, l) => l.customer.name ?? '—' },
              { title: t('leadMapping.phone'), render: (_: unknown, l) => l.customer.phone ?? '—' },
              {
                title: t('leadMapping.vehicle'),
                render: (_: unknown, l) => [l.vehicle.brand, l.vehicle.series, l.vehicle.model].filter(Boolean).join(' ') || '—',
              },
              { title: t('leadMapping.city'), render: (_: unknown, l) => l.customer.city ?? '—' },
            ]}
          />
          {preview.problems.map((p, i) => (
            <Alert key={i} type="warning" showIcon style={{ marginTop: 8 }} message={`#${p.index + 1} ${p.path}: ${p.message}`} />
          ))}
        </div>
      )}
    </Modal>
  );
}
