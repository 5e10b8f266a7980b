import { z } from 'zod';

/** One side of a review: what a reviewer compares, personal data masked. */
export const ProfileSummary = z.object({
  id: z.string(),
  name: z.string().nullable(),
  phoneMasked: z.string().nullable(),
  emailMasked: z.string().nullable(),
  city: z.string().nullable(),
  vehicleOfInterest: z.string().nullable(),
  storeName: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

/** Two profiles the duplicate job thinks may be one person; `reasons` are the scorer's codes (name_pinyin, phone_one_digit, …). */
export const DuplicatePair = z.object({
  a: ProfileSummary,
  b: ProfileSummary,
  score: z.number(),
  reasons: z.array(z.string()),
  createdAt: z.string(),
});
export type DuplicatePair = z.infer<typeof DuplicatePair>;

export const DuplicateQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional(),
});
export type DuplicateQuery = z.infer<typeof DuplicateQuery>;

/** A page of open pairs, best first, with how many are open in the caller's scope. */
export const DuplicatePage = z.object({ items: z.array(DuplicatePair), nextCursor: z.string().nullable(), total: z.number() });
export type DuplicatePage = z.infer<typeof DuplicatePage>;

export const DuplicateDecision = z.object({ decision: z.enum(['merge', 'not_same']) });
export type DuplicateDecision = z.infer<typeof DuplicateDecision>;

export const DuplicateDecisionResult = z.object({
  status: z.enum(['merged', 'not_same']),
  /** The profile that remains after a merge (the older one). */
  survivorId: z.string().nullable(),
});
export type DuplicateDecisionResult = z.infer<typeof DuplicateDecisionResult>;

export const DuplicateScanResult = z.object({
  profiles: z.number(),
  rekeyed: z.number(),
  pairsScored: z.number(),
  pairsQueued: z.number(),
  pairsDropped: z.number(),
  done: z.boolean(),
  ms: z.number(),
});
export type DuplicateScanResult = z.infer<typeof DuplicateScanResult>;

/** A link the resolver refused to make on its own: one identity on too many profiles, or a second value of a once-only type. */
export const IdentityReview = z.object({
  id: z.string(),
  identityType: z.string(),
  masked: z.string(),
  reason: z.string(),
  profiles: z.array(ProfileSummary),
  createdAt: z.string(),
});
export type IdentityReview = z.infer<typeof IdentityReview>;

export const IdentityReviewQuery = DuplicateQuery;

/** merge: join the listed profiles; shared: the value (a front-desk phone) stops linking anyone; dismiss: leave as is. */
export const IdentityReviewDecision = z.object({ decision: z.enum(['merge', 'shared', 'dismiss']) });
export type IdentityReviewDecision = z.infer<typeof IdentityReviewDecision>;

export const IdentityReviewDecisionResult = z.object({
  status: z.enum(['merged', 'shared', 'dismissed']),
  survivorId: z.string().nullable(),
});
