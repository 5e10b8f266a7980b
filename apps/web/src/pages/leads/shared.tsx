import { FUNNEL_STAGES, type LeadListItem, type LeadStage } from '@forecourt/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { Tag, Tooltip, type FormInstance } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';

/** Funnel stages a lead can still move through (delivered is the end). */
export const OPEN_STAGES: readonly LeadStage[] = FUNNEL_STAGES.filter((s) => s !== 'delivered');
export const CLOSED_STAGES: readonly LeadStage[] = ['delivered', 'lost', 'dormant'];
export const isOpen = (stage: LeadStage) => !CLOSED_STAGES.includes(stage);

export const STAGE_COLOR: Record<LeadStage, string> = {
  new: 'blue',
  contacted: 'cyan',
  appointment: 'geekblue',
  visited: 'purple',
  test_drive: 'magenta',
  deposit: 'gold',
  order: 'orange',
  delivered: 'green',
  lost: 'red',
  dormant: 'default',
};

export function StageTag({ stage }: { stage: LeadStage }) {
  const { t } = useTranslation();
  return (
    <Tag color={STAGE_COLOR[stage]} data-testid="lead-stage" data-stage={stage}>
      {t(`leads.stage.${stage}`)}
    </Tag>
  );
}

/** Brand, series and model without repeats: senders often put the brand into the series and both into the model. */
export function vehicleText(l: Pick<LeadListItem, 'brand' | 'series' | 'model'>): string {
  const parts = [l.brand, l.series, l.model].filter((p): p is string => Boolean(p));
  return parts.filter((p, i) => !parts.slice(i + 1).some((later) => later.includes(p))).join(' ');
}

/** The current time, re-rendered every `ms` (one timer per component). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** mm:ss under an hour, h:mm:ss under a day, then days and hh:mm ("2d 03:15", "2天 03:15"). */
export function formatSpan(ms: number, dayUnit = 'd'): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  if (h === 0) return `${pad(m)}:${pad(s)}`;
  if (h < 24) return `${h}:${pad(m)}:${pad(s)}`;
  return `${Math.floor(h / 24)}${dayUnit} ${pad(h % 24)}:${pad(m)}`;
}

type SlaFacts = Pick<LeadListItem, 'slaState' | 'firstContactDueAt' | 'firstContactAt' | 'stage'>;

/**
 * The first-contact SLA of a lead as a live badge: "met", a countdown to the deadline, or the time
 * since it passed in red (the sweep marks breaches every minute; the badge turns red at the second).
 * A lead first contacted late shows how late; a closed lead that was never contacted shows nothing.
 */
export function SlaCountdown({ lead }: { lead: SlaFacts }) {
  const { t } = useTranslation();
  const live = lead.slaState === 'pending' && isOpen(lead.stage);
  const now = useNow(live ? 1000 : 60_000);
  const days = t('leads.sla.dayUnit');
  if (lead.slaState === 'met')
    return (
      <Tag color="success" data-testid="sla-countdown" data-state="met">
        {t('leads.sla.met')}
      </Tag>
    );
  const due = lead.firstContactDueAt ? new Date(lead.firstContactDueAt).getTime() : null;
  if (lead.slaState === 'breached' && lead.firstContactAt && due !== null)
    return (
      <Tag color="error" data-testid="sla-countdown" data-state="breached">
        {t('leads.sla.late', { time: formatSpan(new Date(lead.firstContactAt).getTime() - due, days) })}
      </Tag>
    );
  if (due === null || (!isOpen(lead.stage) && lead.slaState === 'pending')) return <span data-testid="sla-countdown">—</span>;
  const left = due - now;
  if (lead.slaState === 'breached' || left < 0)
    return (
      <Tag color="error" data-testid="sla-countdown" data-state="breached">
        {t('leads.sla.overBy', { time: formatSpan(left, days) })}
      </Tag>
    );
  return (
    <Tooltip title={t('leads.sla.dueHint')}>
      <Tag color={left < 5 * 60_000 ? 'warning' : 'processing'} data-testid="sla-countdown" data-state="pending">
        {t('leads.sla.dueIn', { time: formatSpan(left, days) })}
      </Tag>
    </Tooltip>
  );
}

/** What to tell a person about a failed lead action: a 409's rule in their language, then the server's sentence. */
export function useLeadErrorText() {
  const { t, i18n } = useTranslation();
  return useCallback(
    (e: unknown): string => {
      if (!(e instanceof ApiError)) return String(e);
      const rule = (e.details as { rule?: string } | undefined)?.rule;
      if (e.status === 409 && rule && i18n.exists(`leads.rule.${rule}`)) return `${t(`leads.rule.${rule}`)} (${e.message})`;
      return e.display;
    },
    [t, i18n],
  );
}

/** Everything cached about leads, tasks and the customer's timeline, after a change to a lead. */
export function useRefreshLeads() {
  const client = useQueryClient();
  return useCallback(() => {
    for (const key of [
      'leads',
      'lead',
      'lead-activities',
      'lead-orders',
      'tasks',
      'lost-requests',
      'customer-timeline',
      'team-load',
      'board',
    ])
      void client.invalidateQueries({ queryKey: [key] });
  }, [client]);
}

/** Put an API answer's field messages (`customer.phone`, `body.vin`) under the form fields of the same path. */
export function setFieldErrors<T>(form: FormInstance<T>, e: unknown, known: string[][], fallback?: string[]): boolean {
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return false;
  const fields: { name: string[]; errors: string[] }[] = [];
  for (const d of e.details as { path?: string; message?: string }[]) {
    if (!d.path || !d.message) continue;
    const path = d.path.replace(/^body\./, '').split('.');
    const match =
      known.find((k) => k.join('.') === path.join('.')) ?? known.find((k) => k[k.length - 1] === path[path.length - 1]) ?? fallback;
    if (match) fields.push({ name: match, errors: [d.message] });
  }
  // Paths come from the server, checked against `known` above; the form's own path type cannot see that.
  if (fields.length > 0) form.setFields(fields as Parameters<FormInstance<T>['setFields']>[0]);
  return fields.length > 0;
}
