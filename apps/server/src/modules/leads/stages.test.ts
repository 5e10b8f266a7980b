import { describe, expect, it } from 'vitest';
import { appointmentReminderDue } from './log-activity.js';
import { checkReopen, checkTransition, furthestOf, reopenTarget } from './stages.js';

const ruleOf = (check: ReturnType<typeof checkTransition>) => (check.kind === 'reject' ? check.rule : check.kind);

describe('stage rules', () => {
  it('when a forward move has its fact, then it is allowed; without it, the rule of the target stage refuses it', () => {
    expect(checkTransition('new', 'contacted', { twoWayContact: true })).toEqual({ kind: 'move' });
    expect(ruleOf(checkTransition('new', 'contacted', {}))).toBe('contact_needs_two_way');
    expect(ruleOf(checkTransition('contacted', 'appointment', {}))).toBe('appointment_needs_booking');
    expect(ruleOf(checkTransition('appointment', 'visited', {}))).toBe('visit_needs_check_in');
    expect(ruleOf(checkTransition('visited', 'test_drive', {}))).toBe('test_drive_needs_record');
    expect(ruleOf(checkTransition('test_drive', 'deposit', {}))).toBe('deposit_needs_amount');
    expect(ruleOf(checkTransition('deposit', 'order', { orderMissing: 'trim' }))).toBe('order_needs_model_and_trim');
    expect(ruleOf(checkTransition('order', 'delivered', {}))).toBe('delivery_needs_valid_vin');
  });

  it('when the facts exist, then a lead may skip stages (a walk-in who leaves a deposit at once)', () => {
    expect(checkTransition('new', 'visited', { visit: true }).kind).toBe('move');
    expect(checkTransition('new', 'deposit', { depositWithAmount: true }).kind).toBe('move');
  });

  it('when a move goes back along the funnel, then no_going_back names both stages', () => {
    const check = checkTransition('test_drive', 'contacted', { twoWayContact: true });
    expect(ruleOf(check)).toBe('no_going_back');
    expect(check.kind === 'reject' && check.message).toContain('已试驾 (test_drive)');
  });

  it('when the move is to the current stage, then nothing happens', () => {
    expect(checkTransition('visited', 'visited', {}).kind).toBe('none');
  });

  it('lost and dormant come from any open stage; lost needs a reason; delivered is final; lost must be reopened', () => {
    expect(checkTransition('order', 'lost', { lostReason: 'price' }).kind).toBe('move');
    expect(ruleOf(checkTransition('order', 'lost', {}))).toBe('lost_needs_reason');
    expect(checkTransition('dormant', 'lost', { lostReason: 'no_response' }).kind).toBe('move');
    expect(checkTransition('appointment', 'dormant', {}).kind).toBe('move');
    expect(ruleOf(checkTransition('delivered', 'lost', { lostReason: 'price' }))).toBe('lead_delivered');
    expect(ruleOf(checkTransition('delivered', 'dormant', {}))).toBe('lead_delivered');
    expect(ruleOf(checkTransition('lost', 'contacted', { twoWayContact: true }))).toBe('reopen_first');
    expect(ruleOf(checkTransition('lost', 'dormant', {}))).toBe('reopen_first');
    expect(ruleOf(checkTransition('dormant', 'visited', { visit: true }))).toBe('reopen_first');
  });

  it('reopen returns to the furthest open stage reached, at least contacted; only lost or dormant leads reopen', () => {
    expect(reopenTarget('test_drive')).toBe('test_drive');
    expect(reopenTarget('new')).toBe('contacted');
    expect(reopenTarget('delivered')).toBe('contacted');
    expect(checkReopen('lost').kind).toBe('move');
    expect(checkReopen('dormant').kind).toBe('move');
    expect(ruleOf(checkReopen('visited'))).toBe('not_closed');
  });

  it('furthest stage never moves back, and ignores lost and dormant', () => {
    expect(furthestOf('visited', 'contacted')).toBe('visited');
    expect(furthestOf('visited', 'deposit')).toBe('deposit');
    expect(furthestOf('visited', 'lost')).toBe('visited');
  });
});

describe('appointment reminders', () => {
  const tz = 'Asia/Shanghai';
  it('when the appointment is on a later day, then the reminder is due a day before', () => {
    const now = new Date('2026-03-02T02:00:00Z'); // 10:00 in Shanghai
    const at = new Date('2026-03-05T06:00:00Z');
    expect(appointmentReminderDue(at, now, tz)?.toISOString()).toBe('2026-03-04T06:00:00.000Z');
  });
  it('when it is booked for the same day, then the reminder is due 2 hours before', () => {
    const now = new Date('2026-03-02T01:00:00Z'); // 09:00 in Shanghai
    const at = new Date('2026-03-02T07:00:00Z'); // 15:00 the same day
    expect(appointmentReminderDue(at, now, tz)?.toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });
  it('when the day-before time has passed, then 2 hours before; when that has passed too, no reminder', () => {
    const now = new Date('2026-03-02T12:00:00Z'); // 20:00 in Shanghai
    expect(appointmentReminderDue(new Date('2026-03-03T01:00:00Z'), now, tz)?.toISOString()).toBe('2026-03-02T23:00:00.000Z');
    expect(appointmentReminderDue(new Date('2026-03-02T13:00:00Z'), now, tz)).toBeNull();
  });
});
