import type { CreateLeadBody, IntakeResult, LeadSourceOption } from '@forecourt/contracts';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Radio, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { get, post } from '../../api/client';
import { setFieldErrors, useLeadErrorText, useRefreshLeads } from './shared';

interface Values {
  intake: 'walk_in' | 'phone_in';
  customer: { name?: string; phone?: string; email?: string; city?: string };
  vehicle: { brand?: string; series?: string; model?: string; condition: 'new' | 'used' };
  comments?: string;
  campaign?: string;
  sourceId?: string;
  priority: 'normal' | 'high';
}

const FIELDS = [
  ['customer', 'name'],
  ['customer', 'phone'],
  ['customer', 'email'],
  ['customer', 'city'],
  ['vehicle', 'brand'],
  ['vehicle', 'series'],
  ['vehicle', 'model'],
  ['comments'],
  ['campaign'],
  ['sourceId'],
];

const text = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);

/**
 * 新建线索: a walk-in (到店) or phone-in (来电) entered at the store. Without a named source it is recorded
 * under the store's own walk-in / phone-in source; the server's 422 sentences show at their field.
 */
export function NewLeadPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const refresh = useRefreshLeads();
  const errorText = useLeadErrorText();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const sources = useQuery({
    queryKey: ['lead-sources'],
    queryFn: () => get<{ items: LeadSourceOption[] }>('/api/lead-sources').then((r) => r.items),
  });

  const submit = async (v: Values) => {
    const body: CreateLeadBody = {
      intake: v.intake,
      sourceId: v.sourceId,
      customer: { name: text(v.customer.name), phone: text(v.customer.phone), email: text(v.customer.email), city: text(v.customer.city) },
      vehicle: {
        brand: text(v.vehicle.brand),
        series: text(v.vehicle.series),
        model: text(v.vehicle.model),
        condition: v.vehicle.condition,
      },
      comments: text(v.comments),
      campaign: text(v.campaign),
      priority: v.priority,
    };
    setBusy(true);
    try {
      const r = await post<IntakeResult>('/api/leads', body);
      const item = r.results[0];
      if (!item) throw new Error('no lead in the answer');
      message.success(t(`leads.create.${item.status}`));
      refresh();
      navigate(`/leads/${item.leadId}`);
    } catch (e) {
      // A lead without any contact is refused for `customer`: the phone field is where to fix it.
      if (!setFieldErrors(form, e, FIELDS, ['customer', 'phone'])) message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('leads.create.title')} style={{ maxWidth: 760 }}>
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ intake: 'walk_in', vehicle: { condition: 'new' }, priority: 'normal', customer: {} }}
        onFinish={(v) => void submit(v)}
        data-testid="new-lead-form"
      >
        <Form.Item name="intake" label={t('leads.create.intake')}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            options={[
              { value: 'walk_in', label: <span data-testid="intake-walk_in">{t('leads.intake.walk_in')}</span> },
              { value: 'phone_in', label: <span data-testid="intake-phone_in">{t('leads.intake.phone_in')}</span> },
            ]}
          />
        </Form.Item>
        <Space wrap align="start" size="middle">
          <Form.Item name={['customer', 'name']} label={t('leads.create.name')}>
            <Input maxLength={100} style={{ width: 220 }} data-testid="new-lead-name" />
          </Form.Item>
          <Form.Item name={['customer', 'phone']} label={t('leads.create.phone')} extra={t('leads.create.contactHint')}>
            <Input maxLength={40} style={{ width: 220 }} inputMode="tel" data-testid="new-lead-phone" />
          </Form.Item>
          <Form.Item name={['customer', 'email']} label={t('leads.create.email')}>
            <Input maxLength={200} style={{ width: 220 }} data-testid="new-lead-email" />
          </Form.Item>
        </Space>
        <Space wrap align="start" size="middle">
          <Form.Item name={['vehicle', 'brand']} label={t('leads.create.brand')}>
            <Input maxLength={60} style={{ width: 160 }} data-testid="new-lead-brand" />
          </Form.Item>
          <Form.Item name={['vehicle', 'series']} label={t('leads.create.series')}>
            <Input maxLength={60} style={{ width: 160 }} data-testid="new-lead-series" />
          </Form.Item>
          <Form.Item name={['vehicle', 'model']} label={t('leads.create.model')}>
            <Input maxLength={120} style={{ width: 220 }} data-testid="new-lead-model" />
          </Form.Item>
          <Form.Item name={['vehicle', 'condition']} label={t('leads.create.condition')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'new', label: t('leads.new') },
                { value: 'used', label: t('leads.used') },
              ]}
            />
          </Form.Item>
        </Space>
        <Space wrap align="start" size="middle">
          <Form.Item name={['customer', 'city']} label={t('leads.create.city')}>
            <Input maxLength={40} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="campaign" label={t('leads.field.campaign')}>
            <Input maxLength={200} style={{ width: 220 }} />
          </Form.Item>
          <Form.Item name="priority" label={t('leads.create.priority')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'normal', label: t('leads.priorityNormal') },
                { value: 'high', label: t('leads.priorityHigh') },
              ]}
            />
          </Form.Item>
        </Space>
        <Form.Item name="sourceId" label={t('leads.field.source')} extra={t('leads.create.sourceHint')}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ maxWidth: 360 }}
            loading={sources.isLoading}
            options={(sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            data-testid="new-lead-source"
          />
        </Form.Item>
        <Form.Item name="comments" label={t('leads.field.comments')}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="new-lead-comments" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="new-lead-submit">
            {t('leads.create.submit')}
          </Button>
          <Button onClick={() => navigate(-1)}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}
