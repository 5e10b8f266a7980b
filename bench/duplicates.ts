// Probable duplicates (issue 3): precision and recall of blocking + scoring on a generated, labelled set of
// 20,000 profile pairs, and scoring throughput. `npm run bench -- duplicates [seed]`; the default seed 42 was
// never used for tuning (the weights were tuned on seed 1).
import { evaluate } from '../apps/server/src/modules/identity/duplicates/evaluate.js';
import { scorePair } from '../apps/server/src/modules/identity/duplicates/score-pair.js';
import { generateDuplicateTestSet } from '../apps/server/src/modules/identity/duplicates/test-set.js';

const PAIRS = 20_000;
const DEFAULT_SEED = 42;

export async function main(args: string[]) {
  const seedArg = args.find((a) => /^\d+$/.test(a));
  const seed = seedArg === undefined ? DEFAULT_SEED : Number(seedArg);
  const set = generateDuplicateTestSet({ seed, pairs: PAIRS });
  const result = evaluate(set);

  // Throughput of scorePair alone (the database job scores only the pairs that share a blocking key), after the
  // evaluation above has warmed up the JIT and pinyin-pro's dictionaries; median of 3 passes over the set.
  const passes: number[] = [];
  let sink = 0;
  for (let pass = 0; pass < 3; pass++) {
    const started = performance.now();
    for (const { a, b } of set) sink += scorePair(a, b).score;
    passes.push((performance.now() - started) / 1000);
  }
  if (Number.isNaN(sink)) throw new Error('a score was NaN');
  const seconds = passes.sort((x, y) => x - y)[1]!;

  const round = (x: number, digits: number) => Number(x.toFixed(digits));
  const { pairs, positives, tp, fp, fn, tn } = result;
  const figures = {
    seed,
    pairs,
    positives,
    precision: round(result.precision, 4),
    recall: round(result.recall, 4),
    tp,
    fp,
    fn,
    tn,
    scoredPerSecond: Math.round(pairs / seconds),
    // Positives whose records share neither a near phone nor a related mailbox: no finder can tell them apart.
    positivesWithoutContactLink: result.breakdown['no_contact_link']?.pairs ?? 0,
  };
  console.log(JSON.stringify(figures, null, 2));
  console.log(
    `duplicates: seed ${seed}, ${pairs} pairs (${positives} positive): precision ${figures.precision}, recall ${figures.recall}, ` +
      `${fp} false positives, ${fn} missed (${figures.positivesWithoutContactLink} positives have no contact link), ` +
      `${figures.scoredPerSecond.toLocaleString('en')} pairs scored/s`,
  );
}
