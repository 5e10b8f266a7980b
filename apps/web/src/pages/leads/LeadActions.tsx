import {
  LOST_REASONS,
  type ActivityResult,
  type CreateLeadOrder,
  type LeadListItem,
  type LeadState,
  type LogActivity,
  type LostRequest,
  type Order,
  type OrderResult,
} from '@forecourt/contracts';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Radio, Rate, Select, Space, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../../api/client';
import { dayjs } from '../../format';
import { ConsultantSelect } from './ConsultantSelect';
import { setFieldErrors, useLeadErrorText, useRefreshLeads } from './shared';

export type LeadAction =
  | 'call'
  | 'message'
  | 'visit'
  | 'appointment'
  | 'test_drive'
  | 'note'
  | 'deposit'
  | 'order'
  | 'deliver'
  | 'lost'
  | 'close'
  | 'reopen'
  | 'assign';

/** What an action needs to know about its lead. */
export type ActionLead = Pick<LeadListItem, 'id' | 'version' | 'stage' | 'model' | 'storeId' | 'customerName'>;

const CALL_OUTCOMES = ['connected', 'no_answer', 'busy', 'wrong_number'] as const;

interface Values {
  note?: string;
  durationMin?: number;
  channel?: 'wecom' | 'sms';
  direction?: 'outbound' | 'inbound';
  partySize?: number;
  kind?: 'visit' | 'test_drive' | 'delivery';
  scheduledAt?: Dayjs;
  model?: string;
  feedbackScore?: number;
  consentSigned?: boolean;
  amount?: number;
  refundableUntil?: Dayjs;
  trim?: string;
  colour?: string;
  price?: number;
  discount?: number;
  financingProvider?: string;
  financingMonths?: number;
  tradeInVehicle?: string;
  tradeInValuation?: number;
  insuranceCompany?: string;
  expectedDeliveryOn?: Dayjs;
  orderId?: string;
  vin?: string;
  reason?: string;
  userId?: string;
}

const FIELDS = [
  'note',
  'durationMin',
  'partySize',
  'scheduledAt',
  'model',
  'feedbackScore',
  'consentSigned',
  'amount',
  'refundableUntil',
  'trim',
  'colour',
  'price',
  'discount',
  'vin',
  'reason',
  'userId',
].map((f) => [f]);

/** The body of POST /api/leads/:id/activities for an activity form. */
function activityBody(action: LeadAction, v: Values, outcome?: (typeof CALL_OUTCOMES)[number]): LogActivity {
  const note = v.note?.trim() || undefined;
  switch (action) {
    case 'call':
      return {
        type: 'call',
        direction: 'outbound',
        outcome: outcome ?? 'connected',
        durationSec: v.durationMin ? Math.round(v.durationMin * 60) : undefined,
        note,
      };
    case 'message':
      return { type: 'message', channel: v.channel ?? 'wecom', direction: v.direction ?? 'outbound', note };
    case 'visit':
      return { type: 'visit', partySize: v.partySize ?? 1, note };
    case 'appointment':
      return { type: 'appointment', kind: v.kind ?? 'visit', scheduledAt: (v.scheduledAt ?? dayjs()).toISOString(), note };
    case 'test_drive':
      return {
        type: 'test_drive',
        model: v.model ?? '',
        durationMin: v.durationMin,
        feedbackScore: v.feedbackScore || undefined,
        consentSigned: true,
        note,
      };
    default:
      return { type: 'note', note: note ?? '' };
  }
}

function orderBody(action: 'deposit' | 'order', v: Values): CreateLeadOrder {
  if (action === 'deposit')
    return { kind: 'deposit', amount: v.amount, refundableUntil: v.refundableUntil ? v.refundableUntil.format('YYYY-MM-DD') : undefined };
  return {
    kind: 'order',
    model: v.model?.trim() || undefined,
    trim: v.trim?.trim() || undefined,
    colour: v.colour?.trim() || undefined,
    price: v.price,
    discount: v.discount,
    financing: v.financingProvider?.trim() ? { provider: v.financingProvider.trim(), months: v.financingMonths } : undefined,
    tradeIn: v.tradeInVehicle?.trim() ? { vehicle: v.tradeInVehicle.trim(), valuation: v.tradeInValuation } : undefined,
    insurance: v.insuranceCompany?.trim() ? { company: v.insuranceCompany.trim() } : undefined,
    expectedDeliveryOn: v.expectedDeliveryOn ? v.expectedDeliveryOn.format('YYYY-MM-DD') : undefined,
  };
}

/**
 * One modal for every action on a lead (log a call, book, test drive, 小定, 大定, deliver, lost …).
 * A call is one click on its outcome; the others are a short form. Server refusals (409 with the
 * rule, 422 naming the field) show at the field or as the server's sentence.
 */
export function LeadActionModal({
  lead,
  action,
  onClose,
  onDone,
}: {
  lead: ActionLead | null;
  action: LeadAction | null;
  onClose: () => void;
  onDone?: (action: LeadAction) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const refresh = useRefreshLeads();
  const errorText = useLeadErrorText();
  const open = lead !== null && action !== null;

  const orders = useQuery({
    queryKey: ['lead-orders', lead?.id],
    enabled: open && action === 'deliver',
    queryFn: () => get<{ items: Order[] }>(`/api/leads/${lead!.id}/orders`).then((r) => r.items),
  });
  const deliverable = (orders.data ?? []).filter((o) => o.kind === 'order' && o.status === 'active');
  const firstDeliverable = deliverable[0]?.id;
  useEffect(() => {
    if (firstDeliverable && !form.getFieldValue('orderId')) form.setFieldValue('orderId', firstDeliverable);
  }, [firstDeliverable, form]);

  if (!open) return null;

  const run = async (outcome?: (typeof CALL_OUTCOMES)[number]) => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    try {
      switch (action) {
        case 'call':
        case 'message':
        case 'visit':
        case 'appointment':
        case 'test_drive':
        case 'note': {
          const r = await post<ActivityResult>(`/api/leads/${lead.id}/activities`, activityBody(action, v, outcome));
          message.success(
            r.tasks.length > 0
              ? t('leads.action.doneWithTasks', { count: r.tasks.length })
              : t('leads.action.done', { stage: t(`leads.stage.${r.lead.stage}`) }),
          );
          break;
        }
        case 'deposit':
        case 'order':
          await post<OrderResult>(`/api/leads/${lead.id}/orders`, orderBody(action, v));
          message.success(t('leads.action.saved'));
          break;
        case 'deliver':
          await post<OrderResult>(`/api/orders/${v.orderId}/deliver`, { vin: (v.vin ?? '').trim().toUpperCase() });
          message.success(t('leads.action.delivered'));
          break;
        case 'lost':
          await post<LostRequest>(`/api/leads/${lead.id}/lost-requests`, { reason: v.reason, note: v.note?.trim() || undefined });
          message.success(t('leads.action.lostRequested'));
          break;
        case 'close':
          await post<LeadState>(`/api/leads/${lead.id}/close`, {
            reason: v.reason,
            note: v.note?.trim() || undefined,
            version: lead.version,
          });
          message.success(t('leads.action.saved'));
          break;
        case 'reopen':
          await post<LeadState>(`/api/leads/${lead.id}/reopen`, { version: lead.version });
          message.success(t('leads.action.reopened'));
          break;
        case 'assign':
          await post(`/api/leads/${lead.id}/assign`, { userId: v.userId, version: lead.version });
          message.success(t('leads.action.assigned'));
          break;
      }
      refresh();
      onDone?.(action);
      onClose();
    } catch (e) {
      if (!setFieldErrors(form, e, FIELDS)) message.error(errorText(e));
      refresh();
    } finally {
      setBusy(false);
    }
  };

  const title = `${t(`leads.action.${action}`)} · ${lead.customerName ?? t('leads.unnamed')}`;
  const body = (() => {
    switch (action) {
      case 'call':
        return (
          <>
            <Typography.Paragraph type="secondary">{t('leads.call.hint')}</Typography.Paragraph>
            <Form.Item name="note" label={t('leads.field.note')}>
              <Input.TextArea rows={2} maxLength={2000} data-testid="action-note" />
            </Form.Item>
            <Form.Item name="durationMin" label={t('leads.call.durationMin')}>
              <InputNumber min={0} max={600} style={{ width: 120 }} data-testid="call-duration" />
            </Form.Item>
            <Space wrap>
              {CALL_OUTCOMES.map((o) => (
                <Button
                  key={o}
                  type={o === 'connected' ? 'primary' : 'default'}
                  loading={busy}
                  onClick={() => void run(o)}
                  data-testid={`call-outcome-${o}`}
                >
                  {t(`leads.call.${o}`)}
                </Button>
              ))}
            </Space>
          </>
        );
      case 'message':
        return (
          <>
            <Form.Item name="channel" label={t('leads.message.channel')} initialValue="wecom">
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'wecom', label: t('leads.message.wecom') },
                  { value: 'sms', label: t('leads.message.sms') },
                ]}
              />
            </Form.Item>
            <Form.Item name="direction" label={t('leads.message.direction')} initialValue="outbound">
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'outbound', label: t('leads.message.outbound') },
                  { value: 'inbound', label: t('leads.message.inbound') },
                ]}
              />
            </Form.Item>
            <Form.Item name="note" label={t('leads.field.note')}>
              <Input.TextArea rows={3} maxLength={2000} data-testid="action-note" />
            </Form.Item>
          </>
        );
      case 'visit':
        return (
          <>
            <Form.Item name="partySize" label={t('leads.visit.partySize')} initialValue={1}>
              <InputNumber min={1} max={50} data-testid="visit-party" />
            </Form.Item>
            <Form.Item name="note" label={t('leads.field.note')}>
              <Input.TextArea rows={2} maxLength={2000} data-testid="action-note" />
            </Form.Item>
          </>
        );
      case 'appointment':
        return (
          <>
            <Form.Item name="kind" label={t('leads.appointment.kind')} initialValue="test_drive">
              <Radio.Group
                optionType="button"
                data-testid="appointment-kind"
                options={(['visit', 'test_drive', 'delivery'] as const).map((k) => ({ value: k, label: t(`leads.appointment.${k}`) }))}
              />
            </Form.Item>
            <Form.Item
              name="scheduledAt"
              label={t('leads.appointment.at')}
              initialValue={dayjs().add(1, 'day').hour(10).minute(0).second(0)}
              rules={[{ required: true, message: t('leads.appointment.atRequired') }]}
            >
              <DatePicker showTime={{ format: 'HH:mm', minuteStep: 15 }} format="YYYY-MM-DD HH:mm" data-testid="appointment-at" />
            </Form.Item>
            <Form.Item name="note" label={t('leads.field.note')}>
              <Input.TextArea rows={2} maxLength={2000} data-testid="action-note" />
            </Form.Item>
          </>
        );
      case 'test_drive':
        return (
          <>
            <Form.Item
              name="model"
              label={t('leads.testDrive.model')}
              initialValue={lead.model ?? undefined}
              rules={[{ required: true, whitespace: true, message: t('leads.testDrive.modelRequired') }]}
            >
              <Input maxLength={120} data-testid="test-drive-model" />
            </Form.Item>
            <Form.Item name="durationMin" label={t('leads.testDrive.durationMin')} initialValue={30}>
              <InputNumber min={1} max={600} data-testid="test-drive-duration" />
            </Form.Item>
            <Form.Item name="feedbackScore" label={t('leads.testDrive.feedback')}>
              <Rate data-testid="test-drive-feedback" />
            </Form.Item>
            <Form.Item
              name="consentSigned"
              valuePropName="checked"
              rules={[{ validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('leads.testDrive.consentRequired')))) }]}
            >
              <Checkbox data-testid="test-drive-consent">{t('leads.testDrive.consent')}</Checkbox>
            </Form.Item>
            <Form.Item name="note" label={t('leads.field.note')}>
              <Input.TextArea rows={2} maxLength={2000} data-testid="action-note" />
            </Form.Item>
          </>
        );
      case 'note':
        return (
          <Form.Item
            name="note"
            label={t('leads.field.note')}
            rules={[{ required: true, whitespace: true, message: t('leads.noteRequired') }]}
          >
            <Input.TextArea rows={4} maxLength={2000} data-testid="action-note" />
          </Form.Item>
        );
      case 'deposit':
        return (
          <>
            <Form.Item
              name="amount"
              label={t('leads.deposit.amount')}
              rules={[{ required: true, message: t('leads.deposit.amountRequired') }]}
            >
              <InputNumber min={0} max={100_000_000} precision={2} addonAfter="元" style={{ width: 200 }} data-testid="deposit-amount" />
            </Form.Item>
            <Form.Item name="refundableUntil" label={t('leads.deposit.refundableUntil')}>
              <DatePicker data-testid="deposit-refundable" />
            </Form.Item>
          </>
        );
      case 'order':
        return (
          <>
            <Space wrap align="start">
              <Form.Item name="model" label={t('leads.order.model')} initialValue={lead.model ?? undefined}>
                <Input maxLength={120} data-testid="order-model" />
              </Form.Item>
              <Form.Item name="trim" label={t('leads.order.trim')}>
                <Input maxLength={120} data-testid="order-trim" />
              </Form.Item>
              <Form.Item name="colour" label={t('leads.order.colour')}>
                <Input maxLength={60} data-testid="order-colour" />
              </Form.Item>
            </Space>
            <Space wrap align="start">
              <Form.Item name="price" label={t('leads.order.price')}>
                <InputNumber min={0} precision={2} addonAfter="元" style={{ width: 180 }} data-testid="order-price" />
              </Form.Item>
              <Form.Item name="discount" label={t('leads.order.discount')}>
                <InputNumber min={0} precision={2} addonAfter="元" style={{ width: 160 }} data-testid="order-discount" />
              </Form.Item>
              <Form.Item name="expectedDeliveryOn" label={t('leads.order.expectedDelivery')}>
                <DatePicker data-testid="order-expected" />
              </Form.Item>
            </Space>
            <Space wrap align="start">
              <Form.Item name="financingProvider" label={t('leads.order.financing')}>
                <Input maxLength={100} placeholder={t('leads.order.financingPlaceholder')} />
              </Form.Item>
              <Form.Item name="financingMonths" label={t('leads.order.months')}>
                <InputNumber min={1} max={120} />
              </Form.Item>
            </Space>
            <Space wrap align="start">
              <Form.Item name="tradeInVehicle" label={t('leads.order.tradeIn')}>
                <Input maxLength={200} placeholder={t('leads.order.tradeInPlaceholder')} />
              </Form.Item>
              <Form.Item name="tradeInValuation" label={t('leads.order.valuation')}>
                <InputNumber min={0} precision={2} addonAfter="元" style={{ width: 160 }} />
              </Form.Item>
              <Form.Item name="insuranceCompany" label={t('leads.order.insurance')}>
                <Input maxLength={100} />
              </Form.Item>
            </Space>
          </>
        );
      case 'deliver':
        return (
          <>
            <Form.Item
              name="orderId"
              label={t('leads.deliver.order')}
              rules={[{ required: true, message: t('leads.deliver.orderRequired') }]}
            >
              <Select
                loading={orders.isLoading}
                data-testid="deliver-order"
                notFoundContent={t('leads.deliver.noOrder')}
                options={deliverable.map((o) => ({ value: o.id, label: [o.model, o.trim, o.colour].filter(Boolean).join(' · ') }))}
              />
            </Form.Item>
            <Form.Item
              name="vin"
              label="VIN"
              extra={t('leads.deliver.vinHint')}
              rules={[
                { required: true, message: t('leads.deliver.vinRequired') },
                { pattern: /^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$/, message: t('leads.deliver.vinShape') },
              ]}
            >
              <Input maxLength={17} style={{ fontFamily: 'monospace', textTransform: 'uppercase' }} data-testid="deliver-vin" />
            </Form.Item>
          </>
        );
      case 'lost':
      case 'close':
        return (
          <>
            {action === 'lost' && <Typography.Paragraph type="secondary">{t('leads.lost.hint')}</Typography.Paragraph>}
            <Form.Item name="reason" label={t('leads.lost.reason')} rules={[{ required: true, message: t('leads.lost.reasonRequired') }]}>
              <Select data-testid="lost-reason" options={LOST_REASONS.map((r) => ({ value: r, label: t(`leads.lostReason.${r}`) }))} />
            </Form.Item>
            <Form.Item name="note" label={t('leads.field.note')}>
              <Input.TextArea rows={2} maxLength={1000} data-testid="action-note" />
            </Form.Item>
          </>
        );
      case 'reopen':
        return <Typography.Paragraph>{t('leads.reopenConfirm')}</Typography.Paragraph>;
      case 'assign':
        return (
          <Form.Item name="userId" label={t('leads.assignTo')} rules={[{ required: true, message: t('leads.chooseConsultant') }]}>
            <ConsultantSelect storeId={lead.storeId} testId="assign-user" width="100%" />
          </Form.Item>
        );
    }
  })();

  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      destroyOnHidden
      footer={
        action === 'call'
          ? null
          : [
              <Button key="cancel" onClick={onClose}>
                {t('common.cancel')}
              </Button>,
              <Button key="ok" type="primary" loading={busy} onClick={() => void run()} data-testid="action-submit">
                {t('leads.action.submit')}
              </Button>,
            ]
      }
    >
      <div data-testid="lead-action-modal" data-action={action}>
        <Form form={form} layout="vertical" requiredMark={false} preserve={false}>
          {body}
        </Form>
      </div>
    </Modal>
  );
}
