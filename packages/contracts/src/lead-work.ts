import { z } from 'zod';
import { LeadStage, LostReason } from './leads.js';

/*
 * Working a lead (issue 4 items 5–7): stage moves, activities, tasks, orders (小定 / 大定 / delivery),
 * lost requests (战败申请). Money is in yuan here and stored in fen.
 */

/**
 * Why a stage move or a lifecycle action was refused: the `rule` in the details of a 409. Each has a
 * sentence in the error message; the console may show its own label per rule.
 */
export const StageRule = z.enum([
  /** The lead changed since the caller loaded it (optimistic concurrency). */
  'stale_version',
  /** Funnel stages only move forward; reopen is the one way back. */
  'no_going_back',
  /** Lost (战败) leads must be reopened before anything moves them. */
  'reopen_first',
  /** 已交车 is the last stage. */
  'lead_delivered',
  'contact_needs_two_way',
  'appointment_needs_booking',
  'visit_needs_check_in',
  'test_drive_needs_record',
  'deposit_needs_amount',
  'order_needs_model_and_trim',
  'delivery_needs_valid_vin',
  'lost_needs_reason',
  /** A consultant asks for 战败 through a lost request; a manager approves it or closes directly. */
  'lost_needs_approval',
  /** Reopen applies to lost or dormant leads only. */
  'not_closed',
]);
export type StageRule = z.infer<typeof StageRule>;

/** The lead's stage facts after a change, so the console can update without a reload (and keep `version`). */
export const LeadState = z.object({
  id: z.string(),
  stage: LeadStage,
  furthestStage: LeadStage,
  stageChangedAt: z.string(),
  lostReason: LostReason.nullable(),
  lastActivityAt: z.string(),
  version: z.number().int(),
});
export type LeadState = z.infer<typeof LeadState>;

const text = (max: number) => z.string().trim().min(1).max(max);
const when = z.iso.datetime({ offset: true });
/** The lead's version as the caller last saw it; when given and stale, the change is refused (409 stale_version). */
const version = z.number().int().positive().optional();
const activityBase = {
  /** When it happened; defaults to now and may not be in the future. */
  at: when.optional(),
  note: z.string().trim().max(2000).optional(),
  version,
};

export const ActivityType = z.enum(['call', 'message', 'visit', 'appointment', 'test_drive', 'note']);
export type ActivityType = z.infer<typeof ActivityType>;
export const CallOutcome = z.enum(['connected', 'no_answer', 'busy', 'wrong_number']);
export const Direction = z.enum(['outbound', 'inbound']);
export const AppointmentKind = z.enum(['visit', 'test_drive', 'delivery']);
export type AppointmentKind = z.infer<typeof AppointmentKind>;
export const AppointmentStatus = z.enum(['scheduled', 'done', 'cancelled', 'no_show']);

/** Log one activity on a lead; the `type` decides the fields. */
export const LogActivity = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('call'),
    direction: Direction,
    outcome: CallOutcome,
    durationSec: z.number().int().min(0).max(86_400).optional(),
    ...activityBase,
  }),
  z.object({ type: z.literal('message'), channel: z.enum(['wecom', 'sms']), direction: Direction, ...activityBase }),
  z.object({ type: z.literal('visit'), partySize: z.number().int().min(1).max(50).default(1), ...activityBase }),
  z.object({ type: z.literal('appointment'), kind: AppointmentKind, scheduledAt: when, ...activityBase }),
  z.object({
    type: z.literal('test_drive'),
    /** The vehicle driven. */
    model: text(120),
    durationMin: z.number().int().min(1).max(600).optional(),
    feedbackScore: z.number().int().min(1).max(5).optional(),
    consentSigned: z.literal(true, { error: 'the customer must sign the test-drive consent (试驾协议) before a test drive is logged' }),
    ...activityBase,
  }),
  z.object({ type: z.literal('note'), ...activityBase, note: text(2000) }),
]);
export type LogActivity = z.infer<typeof LogActivity>;

/** Mark a booked appointment as it turned out. */
export const UpdateAppointment = z.object({ status: z.enum(['done', 'cancelled', 'no_show']) });
export type UpdateAppointment = z.infer<typeof UpdateAppointment>;

export const LeadActivity = z.object({
  id: z.string(),
  leadId: z.string(),
  type: ActivityType,
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  outcome: z.string().nullable(),
  durationSec: z.number().nullable(),
  scheduledAt: z.string().nullable(),
  status: z.string().nullable(),
  note: z.string().nullable(),
  /** Type-specific fields: direction, channel, kind, partySize, model, durationMin, feedbackScore, consentSigned, impliedBy. */
  details: z.record(z.string(), z.unknown()),
});
export type LeadActivity = z.infer<typeof LeadActivity>;

export const TaskType = z.enum(['first_contact', 'test_drive_callback', 'deposit_follow_up', 'appointment_reminder', 'custom']);
export type TaskType = z.infer<typeof TaskType>;
export const TaskStatus = z.enum(['open', 'done', 'cancelled']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const TASK_TYPE_LABELS: Record<TaskType, { zh: string; en: string }> = {
  first_contact: { zh: '首次联系', en: 'First contact' },
  test_drive_callback: { zh: '试驾后回访', en: 'Call back after the test drive' },
  deposit_follow_up: { zh: '小定跟进', en: 'Deposit follow-up' },
  appointment_reminder: { zh: '邀约提醒', en: 'Appointment reminder' },
  custom: { zh: '待办', en: 'To-do' },
};

export const Task = z.object({
  id: z.string(),
  leadId: z.string().nullable(),
  /** The lead's customer name as given with the lead (never a contact). */
  customerName: z.string().nullable(),
  type: z.string(),
  title: z.string().nullable(),
  rule: z.string().nullable(),
  dueAt: z.string(),
  status: TaskStatus,
  doneAt: z.string().nullable(),
  ownerUserId: z.string().nullable(),
  ownerName: z.string().nullable(),
  overdue: z.boolean(),
  createdAt: z.string(),
});
export type Task = z.infer<typeof Task>;

export const TaskQuery = z.object({
  /** `me` or a user id; consultants only ever see their own tasks. */
  owner: z.union([z.literal('me'), z.string().uuid()]).optional(),
  status: TaskStatus.optional(),
  /** today: due today in the tenant's time zone; overdue: open and past due. */
  due: z.enum(['today', 'overdue']).optional(),
  leadId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type TaskQuery = z.infer<typeof TaskQuery>;

/** A custom task on a lead; the owner defaults to the lead's consultant (or the caller). */
export const CreateTask = z.object({
  leadId: z.string().uuid(),
  title: text(200),
  dueAt: when,
  ownerUserId: z.string().uuid().optional(),
});
export type CreateTask = z.infer<typeof CreateTask>;

const yuan = z.number().nonnegative().max(100_000_000);

/** 小定: a refundable deposit. The amount is checked by the stage rule (409 deposit_needs_amount when missing or 0). */
export const CreateDeposit = z.object({
  kind: z.literal('deposit'),
  amount: yuan.optional(),
  paidAt: when.optional(),
  refundableUntil: z.iso.date().optional(),
  version,
});
/** 大定: the order. Model and trim are checked by the stage rule (409 order_needs_model_and_trim). */
export const CreateOrder = z.object({
  kind: z.literal('order'),
  model: text(120).optional(),
  trim: text(120).optional(),
  colour: text(60).optional(),
  price: yuan.optional(),
  discount: yuan.optional(),
  financing: z
    .object({ provider: text(100), downPayment: yuan.optional(), months: z.number().int().min(1).max(120).optional() })
    .optional(),
  tradeIn: z.object({ vehicle: text(200), valuation: yuan.optional() }).optional(),
  insurance: z.object({ company: text(100), premium: yuan.optional() }).optional(),
  accessories: z
    .array(z.object({ name: text(100), price: yuan.optional() }))
    .max(50)
    .optional(),
  expectedDeliveryOn: z.iso.date().optional(),
  version,
});
export const CreateLeadOrder = z.discriminatedUnion('kind', [CreateDeposit, CreateOrder]);
export type CreateLeadOrder = z.infer<typeof CreateLeadOrder>;

export const OrderKind = z.enum(['deposit', 'order']);
export const OrderStatus = z.enum(['active', 'refunded', 'cancelled', 'delivered']);

export const Order = z.object({
  id: z.string(),
  leadId: z.string(),
  kind: OrderKind,
  status: OrderStatus,
  amount: z.number().nullable(),
  paidAt: z.string().nullable(),
  refundableUntil: z.string().nullable(),
  model: z.string().nullable(),
  trim: z.string().nullable(),
  colour: z.string().nullable(),
  price: z.number().nullable(),
  discount: z.number().nullable(),
  financing: z.object({ provider: z.string(), downPayment: z.number().nullable(), months: z.number().nullable() }).nullable(),
  tradeIn: z.object({ vehicle: z.string(), valuation: z.number().nullable() }).nullable(),
  insurance: z.object({ company: z.string(), premium: z.number().nullable() }).nullable(),
  accessories: z.array(z.object({ name: z.string(), price: z.number().nullable() })),
  expectedDeliveryOn: z.string().nullable(),
  vin: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  closeReason: z.string().nullable(),
  createdAt: z.string(),
});
export type Order = z.infer<typeof Order>;

export const OrderResult = z.object({ order: Order, lead: LeadState });
export type OrderResult = z.infer<typeof OrderResult>;

/** Refund a deposit or cancel an order: the reason is kept and audited. */
export const CloseOrder = z.object({ reason: text(500) });
export type CloseOrder = z.infer<typeof CloseOrder>;

/** Hand the car over: the VIN must pass its check digit (422 naming vin otherwise). */
export const DeliverOrder = z.object({ vin: z.string().trim().min(1).max(40), deliveredAt: when.optional() });
export type DeliverOrder = z.infer<typeof DeliverOrder>;

export const ActivityResult = z.object({ activity: LeadActivity, lead: LeadState, tasks: z.array(Task) });
export type ActivityResult = z.infer<typeof ActivityResult>;

export const LostRequestStatus = z.enum(['pending', 'approved', 'rejected']);
export type LostRequestStatus = z.infer<typeof LostRequestStatus>;

/** 战败申请 by the lead's consultant. */
export const CreateLostRequest = z.object({ reason: LostReason, note: z.string().trim().max(1000).optional() });
export type CreateLostRequest = z.infer<typeof CreateLostRequest>;

export const LostRequest = z.object({
  id: z.string(),
  leadId: z.string(),
  customerName: z.string().nullable(),
  leadStage: LeadStage,
  reason: LostReason,
  note: z.string().nullable(),
  requestedBy: z.string(),
  requestedByName: z.string().nullable(),
  requestedAt: z.string(),
  status: LostRequestStatus,
  decidedBy: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
});
export type LostRequest = z.infer<typeof LostRequest>;

export const LostRequestQuery = z.object({
  status: LostRequestStatus.default('pending'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type LostRequestQuery = z.infer<typeof LostRequestQuery>;

export const DecideLostRequest = z.object({ note: z.string().trim().max(1000).optional() });
export type DecideLostRequest = z.infer<typeof DecideLostRequest>;

export const LostDecisionResult = z.object({ request: LostRequest, lead: LeadState });

/** A manager closes a lead as lost without a request. */
export const CloseLead = z.object({
  reason: LostReason,
  note: z.string().trim().max(1000).optional(),
  version: z.number().int().positive(),
});
export type CloseLead = z.infer<typeof CloseLead>;

export const ReopenLead = z.object({ version: z.number().int().positive() });
export type ReopenLead = z.infer<typeof ReopenLead>;

/**
 * Move a lead on the board. Forward moves need their facts on record (a connected call, a booking, a
 * visit, a test drive, a deposit with an amount, an order with model and trim, a delivery); lost goes
 * through a lost request; dormant is allowed from any open stage.
 */
export const MoveLeadStage = z.object({ stage: LeadStage, version: z.number().int().positive() });
export type MoveLeadStage = z.infer<typeof MoveLeadStage>;
