import {
  DuplicateDecision,
  DuplicateDecisionResult,
  DuplicatePage,
  DuplicateQuery,
  DuplicateScanResult,
  IdentityReview,
  IdentityReviewDecision,
  IdentityReviewDecisionResult,
  IdentityReviewQuery,
  pageOf,
} from '@forecourt/contracts';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { errors, type App, type Services } from '../../platform/http.js';
import { decideIdentityReview } from './decide-identity-review.js';
import { decideDuplicatePair } from './duplicates/decide-pair.js';
import { listDuplicatePairs } from './duplicates/list-pairs.js';
import { runDuplicateScan } from './duplicates/scan.js';
import { listIdentityReviews } from './list-identity-reviews.js';

// Reviewers see a pair or a review only when every profile in it is in their data scope; otherwise 404.
const merge = { permission: 'customers.merge', scope: 'role' } as const;
/** A "scan now" waits at most this long; the scheduled job finishes whatever is left. */
const MANUAL_SCAN_BUDGET_MS = 20_000;

export function identityRoutes(app: App, s: Services) {
  app.get('/api/identity/duplicates', {
    config: { access: merge },
    schema: {
      tags: ['identity'],
      summary: 'Probable duplicates waiting for review, most likely first; both sides masked',
      querystring: DuplicateQuery,
      response: { 200: DuplicatePage, ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listDuplicatePairs(ctx, req.query)),
  });
  app.post('/api/identity/duplicates/scan', {
    config: { access: { permission: 'customers.merge', scope: 'tenant' } },
    schema: {
      tags: ['identity'],
      summary: 'Run the probable-duplicate scan now over the profiles changed since the last run (up to 20 s)',
      response: { 200: DuplicateScanResult, ...errors(401, 403) },
    },
    handler: (req) => {
      if (!req.auth) throw new AppError('UNAUTHENTICATED', 'Please sign in.');
      return runDuplicateScan(s.database, s.keys, req.auth.tenantId, { budgetMs: MANUAL_SCAN_BUDGET_MS });
    },
  });
  app.post('/api/identity/duplicates/:a/:b/decision', {
    config: { access: merge },
    schema: {
      tags: ['identity'],
      summary: 'Merge the pair (the older profile survives) or record that they are two people; audited, never asked again',
      params: z.object({ a: z.string().uuid(), b: z.string().uuid() }),
      body: DuplicateDecision,
      response: { 200: DuplicateDecisionResult, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => decideDuplicatePair(ctx, req.params.a, req.params.b, req.body)),
  });
  app.get('/api/identity/reviews', {
    config: { access: merge },
    schema: {
      tags: ['identity'],
      summary: 'Links the resolver refused to make on its own (too many profiles, a second once-only value)',
      querystring: IdentityReviewQuery,
      response: { 200: pageOf(IdentityReview), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listIdentityReviews(ctx, req.query)),
  });
  app.post('/api/identity/reviews/:id/decision', {
    config: { access: merge },
    schema: {
      tags: ['identity'],
      summary: 'Merge the listed profiles, mark the value shared (it stops linking), or dismiss; audited',
      params: z.object({ id: z.string().uuid() }),
      body: IdentityReviewDecision,
      response: { 200: IdentityReviewDecisionResult, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => decideIdentityReview(ctx, req.params.id, req.body)),
  });
}
