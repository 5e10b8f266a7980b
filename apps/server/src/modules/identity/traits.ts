import type { TraitSources } from '../customers/schema.js';
import type { CdpSettings } from './settings.js';

export interface TraitState {
  traits: Record<string, unknown>;
  traitSources: TraitSources;
}

export interface TraitInput {
  traits: Record<string, unknown>;
  sourceId: string | null;
  sourceKind: string | null;
  at: string;
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** Does a value from `incoming` replace the current one under the trait's survivorship rule? */
function wins(
  rule: string,
  current: { value: unknown; at: string | null; sourceKind: string | null },
  incoming: { value: unknown; at: string; sourceKind: string | null },
  settings: CdpSettings,
): boolean {
  if (isEmpty(incoming.value)) return false; // every rule: an empty value never replaces a value
  if (isEmpty(current.value)) return true;
  switch (rule) {
    case 'first_seen':
      return current.at === null || incoming.at < current.at;
    case 'source_priority': {
      const rank = (k: string | null) => {
        const i = settings.sourcePriority.indexOf((k ?? 'other') as never);
        return i < 0 ? settings.sourcePriority.length : i;
      };
      const a = rank(incoming.sourceKind);
      const b = rank(current.sourceKind);
      return a < b || (a === b && (current.at === null || incoming.at >= current.at));
    }
    case 'non_empty':
    case 'most_recent':
    default:
      // A late-arriving older message does not overwrite a newer value.
      return current.at === null || incoming.at >= current.at;
  }
}

/** Apply incoming trait values to a profile's traits by each trait's survivorship rule. */
export function applyTraits(
  state: TraitState,
  input: TraitInput,
  settings: CdpSettings,
  kindOf: (sourceId: string | null) => string | null,
): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(input.traits)) {
    const meta = state.traitSources[key];
    const rule = settings.traitRules[key] ?? 'most_recent';
    const current = { value: state.traits[key], at: meta?.at ?? null, sourceKind: kindOf(meta?.sourceId ?? null) };
    if (wins(rule, current, { value, at: input.at, sourceKind: input.sourceKind }, settings)) {
      if (JSON.stringify(state.traits[key]) !== JSON.stringify(value) || meta?.at !== input.at) changed = true;
      state.traits[key] = value;
      state.traitSources[key] = { sourceId: input.sourceId, at: input.at };
    }
  }
  return changed;
}

/** The traits of a merged profile: every trait of the absorbed side competes under its rule. */
export function mergeTraits(
  survivor: TraitState,
  absorbed: TraitState,
  settings: CdpSettings,
  kindOf: (sourceId: string | null) => string | null,
): void {
  for (const [key, value] of Object.entries(absorbed.traits)) {
    const meta = absorbed.traitSources[key];
    applyTraits(
      survivor,
      {
        traits: { [key]: value },
        sourceId: meta?.sourceId ?? null,
        sourceKind: kindOf(meta?.sourceId ?? null),
        at: meta?.at ?? new Date(0).toISOString(),
      },
      settings,
      kindOf,
    );
  }
}

/** Where and when a trait's value came from, as stored: see packTraitSources. */
export type StoredTraitSources = Record<string, { sourceId: string | null; at: string } | null>;
const DEFAULT_ORIGIN = '';

/**
 * The stored form of a profile's trait origins. Most traits of a profile come from one message (an import
 * row sets a dozen at once), and the per-trait form repeated the same source and time for each of them: half
 * of the bytes of an imported profile and a third of the cost of inserting it. So the most common origin is
 * kept once under the key "" (no trait has an empty name: extractIdentities drops it), the traits from it
 * are left out, and a trait without an origin is written as null. unpackTraitSources gives back the
 * per-trait form exactly; rows written before this form (no "" key) read as they are.
 */
export function packTraitSources(traits: Record<string, unknown>, sources: TraitSources): StoredTraitSources {
  const counts = new Map<string, { origin: { sourceId: string | null; at: string }; n: number }>();
  for (const origin of Object.values(sources)) {
    const id = `${origin.at}|${origin.sourceId ?? ''}`;
    const seen = counts.get(id);
    if (seen) seen.n += 1;
    else counts.set(id, { origin, n: 1 });
  }
  let best: { id: string; origin: { sourceId: string | null; at: string }; n: number } | null = null;
  for (const [id, c] of counts) if (!best || c.n > best.n || (c.n === best.n && id < best.id)) best = { id, ...c };
  if (!best || best.n < 2) return sources;
  const packed: StoredTraitSources = { [DEFAULT_ORIGIN]: { sourceId: best.origin.sourceId, at: best.origin.at } };
  for (const [key, origin] of Object.entries(sources)) {
    if (origin.at !== best.origin.at || origin.sourceId !== best.origin.sourceId) packed[key] = origin;
  }
  for (const key of Object.keys(traits)) if (!(key in sources)) packed[key] = null;
  return packed;
}

/** The per-trait origins of a stored profile (see packTraitSources). */
export function unpackTraitSources(traits: Record<string, unknown>, stored: StoredTraitSources | null | undefined): TraitSources {
  if (!stored) return {};
  const fallback = stored[DEFAULT_ORIGIN];
  const sources: TraitSources = {};
  if (fallback === undefined) {
    for (const [key, origin] of Object.entries(stored)) if (origin) sources[key] = origin;
    return sources;
  }
  for (const key of Object.keys(traits)) {
    const origin = key in stored ? stored[key] : fallback;
    if (origin) sources[key] = origin;
  }
  for (const [key, origin] of Object.entries(stored)) if (key !== DEFAULT_ORIGIN && origin && !(key in sources)) sources[key] = origin;
  return sources;
}
