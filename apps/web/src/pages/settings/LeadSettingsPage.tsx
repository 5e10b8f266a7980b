import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { LeadSettings, LeadSettingsView, Source } from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, InputNumber, Radio, Select, Space, Switch, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get, put } from '../../api/client';
import { useSession } from '../../auth';
import { formatTime } from '../../format';
import { setFieldErrors } from '../leads/shared';

interface Values {
  duplicateWindowDays: number;
  crossStore: LeadSettings['crossStore'];
  slaDefault: number;
  slaNormal?: number | null;
  slaHigh?: number | null;
  bySource: { sourceId?: string; minutes?: number }[];
  reminderMinutesBefore: number;
  reassignOnBreach: boolean;
  dormantDays: number;
  spend: { campaign?: string; spendYuan?: number; leads?: number | null }[];
}

function toValues(s: LeadSettings): Values {
  return {
    duplicateWindowDays: s.duplicateWindowDays,
    crossStore: s.crossStore,
    slaDefault: s.sla.defaultMinutes,
    slaNormal: s.sla.byPriority.normal ?? null,
    slaHigh: s.sla.byPriority.high ?? null,
    bySource: Object.entries(s.sla.bySource).map(([sourceId, minutes]) => ({ sourceId, minutes })),
    reminderMinutesBefore: s.reminderMinutesBefore,
    reassignOnBreach: s.reassignOnBreach,
    dormantDays: s.dormantDays,
    spend: Object.entries(s.campaignSpend).map(([campaign, v]) => ({ campaign, spendYuan: v.spendYuan, leads: v.leads ?? null })),
  };
}

function toSettings(v: Values): LeadSettings {
  const bySource: Record<string, number> = {};
  for (const r of v.bySource ?? []) if (r.sourceId && r.minutes) bySource[r.sourceId] = r.minutes;
  const campaignSpend: LeadSettings['campaignSpend'] = {};
  for (const r of v.spend ?? [])
    if (r.campaign?.trim() && r.spendYuan !== undefined && r.spendYuan !== null)
      campaignSpend[r.campaign.trim()] = { spendYuan: r.spendYuan, ...(r.leads ? { leads: r.leads } : {}) };
  return {
    duplicateWindowDays: v.duplicateWindowDays,
    crossStore: v.crossStore,
    sla: {
      defaultMinutes: v.slaDefault,
      bySource,
      byPriority: { ...(v.slaNormal ? { normal: v.slaNormal } : {}), ...(v.slaHigh ? { high: v.slaHigh } : {}) },
    },
    reminderMinutesBefore: v.reminderMinutesBefore,
    reassignOnBreach: v.reassignOnBreach,
    dormantDays: v.dormantDays,
    campaignSpend,
  };
}

/** Server paths (`settings.sla.defaultMinutes`) → this form's fields. */
const FIELDS = [['duplicateWindowDays'], ['crossStore'], ['slaDefault'], ['reminderMinutesBefore'], ['dormantDays'], ['reassignOnBreach']];
const ALIASES: Record<string, string> = { defaultMinutes: 'slaDefault', normal: 'slaNormal', high: 'slaHigh' };

/** 线索设置: duplicates, cross-store policy, the first-contact SLA, reminders, reassignment on breach, dormancy, campaign spend. */
export function LeadSettingsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { me } = useSession();
  const client = useQueryClient();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const view = useQuery({ queryKey: ['lead-settings'], queryFn: () => get<LeadSettingsView>('/api/lead-settings') });
  const sources = useQuery({ queryKey: ['sources'], queryFn: () => get<{ items: Source[] }>('/api/sources').then((r) => r.items) });
  useEffect(() => {
    if (view.data) form.setFieldsValue(toValues(view.data.settings));
  }, [view.data, form]);

  if (!view.data) return <Card loading title={t('leadSettings.title')} />;
  const d = view.data.defaults;

  const save = async (v: Values) => {
    setSaving(true);
    try {
      const saved = await put<LeadSettingsView>('/api/lead-settings', { version: view.data.version, settings: toSettings(v) });
      client.setQueryData(['lead-settings'], saved);
      message.success(t('leadSettings.saved'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        message.error(t('leadSettings.stale'));
        void view.refetch();
      } else if (e instanceof ApiError && Array.isArray(e.details)) {
        const details = (e.details as { path?: string; message?: string }[]).map((x) => {
          const last = x.path?.split('.').pop() ?? '';
          return { ...x, path: ALIASES[last] ?? x.path };
        });
        if (!setFieldErrors(form, new ApiError(e.status, e.code, e.message, details), FIELDS)) message.error(e.display);
      } else message.error(e instanceof ApiError ? e.display : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<Values> form={form} layout="vertical" onFinish={(v) => void save(v)} data-testid="lead-settings-form">
      <Space direction="vertical" size="middle" style={{ width: '100%', maxWidth: 880 }}>
        <Card
          title={t('leadSettings.title')}
          extra={
            <Space>
              <Typography.Text type="secondary">
                {view.data.updatedAt ? t('cdpSettings.lastSaved', { at: formatTime(view.data.updatedAt, tz) }) : t('cdpSettings.defaults')}
              </Typography.Text>
              <Button type="primary" htmlType="submit" loading={saving} data-testid="lead-settings-save">
                {t('common.save')}
              </Button>
            </Space>
          }
        >
          <Alert type="info" showIcon message={t('leadSettings.intro')} />
        </Card>

        <Card size="small" title={t('leadSettings.duplicates')}>
          <Form.Item
            name="duplicateWindowDays"
            label={t('leadSettings.duplicateWindow')}
            extra={t('leadSettings.duplicateWindowHint', { days: d.duplicateWindowDays })}
          >
            <InputNumber min={0} max={365} addonAfter={t('leadSettings.days')} style={{ width: 160 }} data-testid="ls-duplicate-window" />
          </Form.Item>
          <Form.Item name="crossStore" label={t('leadSettings.crossStore')}>
            <Radio.Group data-testid="ls-cross-store">
              <Space direction="vertical">
                <Radio value="separate">{t('leadSettings.crossStoreSeparate')}</Radio>
                <Radio value="merge_into_open">{t('leadSettings.crossStoreMerge')}</Radio>
              </Space>
            </Radio.Group>
          </Form.Item>
        </Card>

        <Card size="small" title={t('leadSettings.sla')}>
          <Space wrap align="start" size="large">
            <Form.Item
              name="slaDefault"
              label={t('leadSettings.slaDefault')}
              extra={t('leadSettings.defaultIs', { value: d.sla.defaultMinutes })}
            >
              <InputNumber min={1} max={10_080} addonAfter={t('routing.min')} style={{ width: 160 }} data-testid="ls-sla-default" />
            </Form.Item>
            <Form.Item name="slaHigh" label={t('leadSettings.slaHigh')} extra={t('leadSettings.slaPriorityHint')}>
              <InputNumber min={1} max={10_080} addonAfter={t('routing.min')} style={{ width: 160 }} data-testid="ls-sla-high" />
            </Form.Item>
            <Form.Item name="slaNormal" label={t('leadSettings.slaNormal')}>
              <InputNumber min={1} max={10_080} addonAfter={t('routing.min')} style={{ width: 160 }} />
            </Form.Item>
          </Space>
          <Typography.Paragraph style={{ marginBottom: 0 }}>{t('leadSettings.bySource')}</Typography.Paragraph>
          <Form.List name="bySource">
            {(fields, { add, remove }) => (
              <div style={{ marginTop: 8 }}>
                {fields.map((f) => (
                  <Space key={f.key} align="baseline" wrap>
                    <Form.Item name={[f.name, 'sourceId']} rules={[{ required: true, message: t('routing.sourceRequired') }]}>
                      <Select
                        showSearch
                        optionFilterProp="label"
                        style={{ width: 240 }}
                        placeholder={t('leads.field.source')}
                        options={(sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'minutes']} rules={[{ required: true, message: t('leadSettings.minutesRequired') }]}>
                      <InputNumber min={1} max={10_080} addonAfter={t('routing.min')} style={{ width: 150 }} />
                    </Form.Item>
                    <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('routing.delete')} />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
                  {t('leadSettings.addSource')}
                </Button>
              </div>
            )}
          </Form.List>
          <Space wrap align="start" size="large" style={{ marginTop: 16 }}>
            <Form.Item name="reminderMinutesBefore" label={t('leadSettings.reminder')} extra={t('leadSettings.reminderHint')}>
              <InputNumber min={0} max={1440} addonAfter={t('routing.min')} style={{ width: 160 }} data-testid="ls-reminder" />
            </Form.Item>
            <Form.Item
              name="reassignOnBreach"
              label={t('leadSettings.reassignOnBreach')}
              valuePropName="checked"
              extra={t('leadSettings.reassignHint')}
            >
              <Switch data-testid="ls-reassign" />
            </Form.Item>
          </Space>
        </Card>

        <Card size="small" title={t('leadSettings.dormancy')}>
          <Form.Item name="dormantDays" label={t('leadSettings.dormantDays')} extra={t('leadSettings.dormantHint')}>
            <InputNumber min={1} max={365} addonAfter={t('leadSettings.days')} style={{ width: 160 }} data-testid="ls-dormant" />
          </Form.Item>
        </Card>

        <Card size="small" title={t('leadSettings.spend')}>
          <Typography.Paragraph type="secondary">{t('leadSettings.spendHint')}</Typography.Paragraph>
          <Form.List name="spend">
            {(fields, { add, remove }) => (
              <div>
                {fields.map((f) => (
                  <Space key={f.key} align="baseline" wrap>
                    <Form.Item
                      name={[f.name, 'campaign']}
                      rules={[{ required: true, whitespace: true, message: t('leadSettings.campaignRequired') }]}
                    >
                      <Input style={{ width: 220 }} placeholder={t('leads.field.campaign')} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'spendYuan']} rules={[{ required: true, message: t('leadSettings.spendRequired') }]}>
                      <InputNumber min={0} addonAfter="元" style={{ width: 170 }} placeholder={t('leadSettings.spendYuan')} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'leads']}>
                      <InputNumber min={1} style={{ width: 150 }} placeholder={t('leadSettings.spendLeads')} />
                    </Form.Item>
                    <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('routing.delete')} />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
                  {t('leadSettings.addCampaign')}
                </Button>
              </div>
            )}
          </Form.List>
        </Card>
      </Space>
    </Form>
  );
}
