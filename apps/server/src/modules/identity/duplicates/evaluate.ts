import { shareBlockingKey } from './blocking-keys.js';
import type { DuplicateCandidate } from './candidate.js';
import { DUPLICATE_THRESHOLD, scorePair } from './score-pair.js';
import type { LabelledPair } from './test-set.js';

export interface Evaluation {
  pairs: number;
  positives: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** NaN when nothing was predicted. */
  precision: number;
  recall: number;
  /** Positives that share no blocking key: lost before scoring. */
  positivesNotBlocked: number;
  /** Pairs and predicted duplicates per kind of pair, and per variation of the positives. */
  breakdown: Record<string, { pairs: number; predicted: number }>;
}

/** What the database job would put in the review queue: the pair shares a blocking key and scores at the threshold. */
export function predictDuplicate(a: DuplicateCandidate, b: DuplicateCandidate): boolean {
  return shareBlockingKey(a, b) && scorePair(a, b).score >= DUPLICATE_THRESHOLD;
}

export function evaluate(pairs: readonly LabelledPair[]): Evaluation {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let positivesNotBlocked = 0;
  const breakdown: Evaluation['breakdown'] = {};
  for (const pair of pairs) {
    const blocked = shareBlockingKey(pair.a, pair.b);
    const predicted = blocked && scorePair(pair.a, pair.b).score >= DUPLICATE_THRESHOLD;
    if (pair.duplicate && !blocked) positivesNotBlocked++;
    if (pair.duplicate && predicted) tp++;
    else if (pair.duplicate) fn++;
    else if (predicted) fp++;
    else tn++;
    for (const key of [pair.kind, ...pair.variations]) {
      const row = (breakdown[key] ??= { pairs: 0, predicted: 0 });
      row.pairs++;
      if (predicted) row.predicted++;
    }
  }
  return {
    pairs: pairs.length,
    positives: tp + fn,
    tp,
    fp,
    fn,
    tn,
    precision: tp / (tp + fp),
    recall: tp / (tp + fn),
    positivesNotBlocked,
    breakdown,
  };
}
