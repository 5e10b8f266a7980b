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
