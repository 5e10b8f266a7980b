import { ArrowLeftOutlined, InboxOutlined } from '@ant-design/icons';
import type { ImportPreview, ImportView, MappingColumn } from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Result, Space, Spin, Steps, Tag, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, get, post, put, upload } from '../../api/client';
import { IMPORT_STATUS_COLOR } from './ImportsPage';
import { ErrorList, MappingStep, PreviewStep, ProgressStep } from './importSteps';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Step = 'file' | 'mapping' | 'preview' | 'progress' | 'result';
const STEPS: Step[] = ['file', 'mapping', 'preview', 'progress', 'result'];

function stepOf(view: ImportView | undefined): Step {
  if (!view) return 'file';
  if (view.status === 'uploaded') return 'mapping';
  if (view.status === 'mapped') return 'preview';
  if (view.status === 'queued' || view.status === 'running') return 'progress';
  return 'result';
}

/** Every column of the file in order, with the saved or suggested field (unmapped ones: ignore). */
function columnsOf(preview: ImportPreview): MappingColumn[] {
  const byIndex = new Map(preview.mapping.columns.map((c) => [c.index, c]));
  return preview.samples.map((_, index) => byIndex.get(index) ?? { index, field: 'ignore' });
}

/** New import wizard: file → mapping → preview → (dry) run with a progress bar → result with the rejected rows. */
export function ImportWizardPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { id } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [uploading, setUploading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [step, setStep] = useState<Step | null>(null);
  const [columns, setColumns] = useState<MappingColumn[] | null>(null);
  const [busy, setBusy] = useState(false);

  const view = useQuery({
    queryKey: ['import', id],
    enabled: !!id,
    queryFn: () => get<ImportView>(`/api/imports/${id}`),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'queued' || q.state.data.status === 'running') ? 1000 : false),
  });
  const current = view.data;
  const shown: Step = id ? (step ?? stepOf(current)) : 'file';
  const needsPreview = !!id && current !== undefined && (shown === 'mapping' || shown === 'preview');
  const preview = useQuery({
    queryKey: ['import-preview', id],
    enabled: needsPreview,
    queryFn: () => get<ImportPreview>(`/api/imports/${id}/preview`),
    staleTime: Infinity,
  });

  useEffect(() => {
    if (preview.data && columns === null) setColumns(columnsOf(preview.data));
  }, [preview.data, columns]);
  // When the job moves on (done, failed), leave the progress step by itself.
  useEffect(() => {
    if (step === 'progress' && current && current.status !== 'queued' && current.status !== 'running') setStep('result');
  }, [step, current]);

  const fail = (e: unknown) => {
    const text = e instanceof ApiError ? e.display : String(e);
    setProblem(text);
    message.error(text);
  };

  const send = async (file: File) => {
    setUploading(true);
    setProblem(null);
    try {
      const type = file.name.toLowerCase().endsWith('.xlsx') ? XLSX_TYPE : 'text/csv';
      const answer = await upload<ImportPreview>(`/api/imports?fileName=${encodeURIComponent(file.name)}`, file, type);
      client.setQueryData(['import', answer.import.id], answer.import);
      client.setQueryData(['import-preview', answer.import.id], answer);
      setColumns(columnsOf(answer));
      setStep('mapping');
      navigate(`/customers/imports/${answer.import.id}`, { replace: true });
    } catch (e) {
      fail(e);
    } finally {
      setUploading(false);
    }
  };

  const saveMapping = async () => {
    if (!current || !columns) return;
    setBusy(true);
    setProblem(null);
    try {
      const answer = await put<ImportPreview>(`/api/imports/${current.id}/mapping`, { mapping: { columns }, version: current.version });
      client.setQueryData(['import', current.id], answer.import);
      client.setQueryData(['import-preview', current.id], answer);
      setStep('preview');
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const start = async (dryRun: boolean) => {
    if (!current) return;
    setBusy(true);
    setProblem(null);
    try {
      const next = await post<ImportView>(`/api/imports/${current.id}/start`, { dryRun, version: current.version });
      client.setQueryData(['import', current.id], next);
      void client.invalidateQueries({ queryKey: ['imports'] });
      setStep('progress');
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    if (!current) return;
    try {
      client.setQueryData(['import', current.id], await post<ImportView>(`/api/imports/${current.id}/cancel`));
      setStep('result');
    } catch (e) {
      fail(e);
    }
  };

  if (id && view.isLoading) return <Spin />;
  if (id && (view.error || !current)) {
    return (
      <Card>
        <Empty description={view.error instanceof ApiError ? view.error.display : t('errors.NOT_FOUND')} />
      </Card>
    );
  }

  const back = (
    <Link to="/customers/imports">
      <ArrowLeftOutlined /> {t('imports.back')}
    </Link>
  );
  const title = current ? (
    <Space>
      {current.fileName}
      <Tag color={IMPORT_STATUS_COLOR[current.status]} data-testid="import-status">
        {t(`imports.status_${current.status}`)}
      </Tag>
      {current.dryRun && <Tag>{t('imports.dryRun')}</Tag>}
    </Space>
  ) : (
    t('imports.new')
  );

  return (
    <Card title={title} extra={back}>
      <Steps
        current={STEPS.indexOf(shown)}
        style={{ marginBottom: 24 }}
        items={STEPS.map((s) => ({ title: t(`imports.step_${s}`) }))}
        data-testid="import-steps"
      />
      {problem && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={problem} data-testid="import-problem" />}

      {shown === 'file' && (
        <Spin spinning={uploading}>
          <Upload.Dragger
            accept=".csv,.xlsx,.txt"
            multiple={false}
            showUploadList={false}
            beforeUpload={(file) => {
              void send(file);
              return false;
            }}
            data-testid="import-file"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('imports.drop')}</p>
            <p className="ant-upload-hint">{t('imports.dropHint')}</p>
          </Upload.Dragger>
        </Spin>
      )}

      {shown === 'mapping' &&
        (preview.data && columns ? (
          <Space direction="vertical" style={{ width: '100%' }} size="middle">
            <Typography.Text type="secondary">{t('imports.mappingHint')}</Typography.Text>
            <MappingStep preview={preview.data} columns={columns} onChange={setColumns} />
            <Space>
              <Button type="primary" loading={busy} onClick={() => void saveMapping()} data-testid="mapping-next">
                {t('imports.toPreview')}
              </Button>
            </Space>
          </Space>
        ) : (
          <Spin />
        ))}

      {shown === 'preview' &&
        (preview.data ? (
          <Space direction="vertical" style={{ width: '100%' }} size="middle">
            <Typography.Text type="secondary">{t('imports.previewHint', { n: preview.data.rows.length })}</Typography.Text>
            {preview.data.mappingProblem && <Alert type="warning" showIcon message={preview.data.mappingProblem} />}
            <PreviewStep preview={preview.data} />
            <Space>
              <Button onClick={() => setStep('mapping')} data-testid="preview-back">
                {t('imports.backToMapping')}
              </Button>
              <Button loading={busy} onClick={() => void start(true)} data-testid="import-dry-run">
                {t('imports.dryRunAction')}
              </Button>
              <Button type="primary" loading={busy} onClick={() => void start(false)} data-testid="import-run">
                {t('imports.run')}
              </Button>
            </Space>
          </Space>
        ) : (
          <Spin />
        ))}

      {shown === 'progress' && current && (
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <ProgressStep view={current} />
          <Button danger onClick={() => void cancel()} data-testid="import-cancel">
            {t('imports.cancel')}
          </Button>
        </Space>
      )}

      {shown === 'result' && current && (
        <Space direction="vertical" style={{ width: '100%' }} size="large">
          {current.status === 'done' ? (
            <Result
              status="success"
              style={{ padding: 0 }}
              title={current.dryRun ? t('imports.dryRunDone') : t('imports.done')}
              subTitle={t('imports.doneSummary', {
                ok: current.okRows.toLocaleString(),
                errors: current.errorRows.toLocaleString(),
                duplicates: current.duplicateRows.toLocaleString(),
              })}
              extra={
                current.dryRun ? (
                  <Button type="primary" loading={busy} onClick={() => void start(false)} data-testid="import-run-real">
                    {t('imports.runForReal')}
                  </Button>
                ) : (
                  <Link to="/customers" data-testid="import-to-customers">
                    {t('imports.toCustomers')}
                  </Link>
                )
              }
            />
          ) : current.status === 'failed' ? (
            <Alert
              type="error"
              showIcon
              message={t('imports.failed')}
              description={current.failure}
              action={
                <Button onClick={() => void start(current.dryRun)} loading={busy} data-testid="import-retry">
                  {t('imports.retry')}
                </Button>
              }
            />
          ) : (
            <Alert type="warning" showIcon message={t('imports.cancelled')} description={current.failure ?? undefined} />
          )}
          <ProgressStep view={current} />
          <ErrorList view={current} />
        </Space>
      )}
    </Card>
  );
}
