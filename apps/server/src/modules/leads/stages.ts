import { FUNNEL_STAGES, STAGE_LABELS, type LeadStage, type StageRule } from '@forecourt/contracts';

/*
 * The stage rules of issue 4 (DOMAIN.md funnel), pure: which move is allowed given the facts on record.
 * Callers that log an activity only move a lead forward (an activity "behind" the stage changes nothing);
 * an explicit move that breaks a rule is refused with the rule's code and a sentence.
 */

export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/** What is on record for a lead (or is being recorded by the action that asks for the move). */
export interface StageFacts {
  /** A connected call, or a message from the customer. */
  twoWayContact?: boolean;
  appointment?: boolean;
  visit?: boolean;
  testDrive?: boolean;
  /** An active deposit with an amount above 0. */
  depositWithAmount?: boolean;
  /** An order with model and trim; `orderMissing` names what is not there. */
  orderWithModelAndTrim?: boolean;
  orderMissing?: string;
  /** A delivered order whose VIN passed the check digit. */
  deliveredWithValidVin?: boolean;
  lostReason?: string | null;
}

export type TransitionCheck = { kind: 'move' } | { kind: 'none' } | { kind: 'reject'; rule: StageRule; message: string };

const label = (stage: LeadStage) => `${STAGE_LABELS[stage].zh} (${stage})`;

export function isFunnelStage(stage: LeadStage): stage is FunnelStage {
  return (FUNNEL_STAGES as readonly LeadStage[]).includes(stage);
}

/** Position in the funnel; -1 for lost and dormant. */
export function funnelIndex(stage: LeadStage): number {
  return (FUNNEL_STAGES as readonly LeadStage[]).indexOf(stage);
}

/** Open: somewhere in the funnel before delivery. Lost, dormant and delivered are not open. */
export function isOpenStage(stage: LeadStage): boolean {
  return isFunnelStage(stage) && stage !== 'delivered';
}

/** The later of two funnel stages (furthest_stage never moves back). */
export function furthestOf(a: LeadStage, b: LeadStage): LeadStage {
  if (!isFunnelStage(b)) return a;
  if (!isFunnelStage(a)) return b;
  return funnelIndex(b) > funnelIndex(a) ? b : a;
}

/** Where reopen returns a lead: the furthest open stage it had reached, at least `contacted`. */
export function reopenTarget(furthestStage: LeadStage): LeadStage {
  return isOpenStage(furthestStage) && funnelIndex(furthestStage) > funnelIndex('contacted') ? furthestStage : 'contacted';
}

const reject = (rule: StageRule, message: string): Extract<TransitionCheck, { kind: 'reject' }> => ({ kind: 'reject', rule, message });

/** The fact each funnel stage needs before a lead may stand in it: null when it is there, else the refusal. */
export function missingFact(to: FunnelStage, facts: StageFacts): Extract<TransitionCheck, { kind: 'reject' }> | null {
  switch (to) {
    case 'new':
      return null;
    case 'contacted':
      return facts.twoWayContact
        ? null
        : reject('contact_needs_two_way', `${label(to)} needs a two-way contact: log a connected call or the customer's reply first.`);
    case 'appointment':
      return facts.appointment
        ? null
        : reject('appointment_needs_booking', `${label(to)} needs a booked appointment: book the visit or test drive first.`);
    case 'visited':
      return facts.visit
        ? null
        : reject('visit_needs_check_in', `${label(to)} needs a store visit on record: check the customer in first.`);
    case 'test_drive':
      return facts.testDrive
        ? null
        : reject('test_drive_needs_record', `${label(to)} needs a test drive on record (vehicle and signed consent); log the test drive.`);
    case 'deposit':
      return facts.depositWithAmount
        ? null
        : reject('deposit_needs_amount', `${label(to)} needs an amount: record the deposit with the amount the customer paid.`);
    case 'order':
      return facts.orderWithModelAndTrim
        ? null
        : reject(
            'order_needs_model_and_trim',
            `${label(to)} needs the model and the trim of the car ordered${facts.orderMissing ? ` (missing: ${facts.orderMissing})` : ''}.`,
          );
    case 'delivered':
      return facts.deliveredWithValidVin
        ? null
        : reject('delivery_needs_valid_vin', `${label(to)} needs a delivery with a VIN that passes the check digit: deliver the order.`);
  }
}

/** Whether a lead standing in `from` may move to `to`, given the facts. */
export function checkTransition(from: LeadStage, to: LeadStage, facts: StageFacts): TransitionCheck {
  if (from === to) return { kind: 'none' };
  if (from === 'delivered') return reject('lead_delivered', `The lead is ${label('delivered')}; that is its last stage.`);
  if (to === 'lost') {
    if (!facts.lostReason) return reject('lost_needs_reason', `${label('lost')} needs a reason code.`);
    return { kind: 'move' };
  }
  if (from === 'lost') return reject('reopen_first', `The lead is closed as ${label('lost')}; reopen it before moving it on.`);
  if (to === 'dormant') return { kind: 'move' };
  if (from === 'dormant') return reject('reopen_first', `The lead is ${label('dormant')}; reopen it before moving it on.`);
  if (!isFunnelStage(to)) return reject('no_going_back', `${label(to)} is not a funnel stage.`);
  if (funnelIndex(to) < funnelIndex(from))
    return reject('no_going_back', `A lead does not go back from ${label(from)} to ${label(to)}; stages only move forward.`);
  return missingFact(to, facts) ?? { kind: 'move' };
}

/** Whether a lead may be reopened. */
export function checkReopen(from: LeadStage): TransitionCheck {
  if (from === 'lost' || from === 'dormant') return { kind: 'move' };
  return reject('not_closed', `Only a lost or dormant lead can be reopened; this one is ${label(from)}.`);
}
