import type { IdentityType } from '@forecourt/contracts';
import { uuidv7 } from '../../platform/ids.js';
import type { TraitSources } from '../customers/schema.js';
import type { Extracted } from './extract-identities.js';
import type { IdentityValue } from './identity-values.js';
import type { ProfileSnapshot } from './schema.js';
import type { CdpSettings } from './settings.js';
import { applyTraits, mergeTraits } from './traits.js';

/** A profile as the resolver holds it while it plans one batch. */
export interface ProfileState {
  id: string;
  isNew: boolean;
  name: string | null;
  traits: Record<string, unknown>;
  traitSources: TraitSources;
  tags: string[];
  lifecycleStage: string;
  ownerOrgUnitId: string | null;
  ownerUserId: string | null;
  city: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Keys per limit group (see `limitGroup`), for the types limited per profile. */
  limited: Map<string, Set<string>>;
  /** Every identity key the profile holds (loaded for merges only). */
  touched: boolean;
}

/**
 * What a per-profile limit counts together: the values of one type, except a userId, which is counted per
 * source (its scope), so a CRM customer number and a website login of one person may sit on one profile
 * while two customer numbers of the same CRM may not.
 */
export function limitGroup(type: IdentityType, sourceId: string | null): string {
  return type === 'user_id' ? `user_id:${sourceId ?? ''}` : type;
}

const typeOfGroup = (group: string): IdentityType => group.split(':')[0] as IdentityType;

export interface MessageToResolve {
  index: number;
  sourceId: string;
  sourceKind: string;
  at: string;
  extracted: Extracted;
  identities: IdentityValue[];
  /** Tags to add to the profile (imports). */
  tags?: string[];
}

export interface Resolution {
  profileId: string;
}

export interface PlannedMerge {
  id: string;
  survivorId: string;
  absorbedId: string;
  reason: string;
  snapshot: { survivor: ProfileSnapshot; absorbed: ProfileSnapshot };
}

export interface PlannedReview {
  type: IdentityType;
  key: string;
  masked: string;
  profileIds: string[];
  reason: 'too_many_profiles' | 'conflicting_identity';
}

export interface NewIdentity {
  identity: IdentityValue;
  profileId: string;
  /** The profile it first joined; an unmerge gives it back there. */
  originProfileId: string;
  sourceId: string;
  at: string;
}

const ref = (type: string, key: string) => `${type}|${key}`;
/** Traits the probable-duplicate scorer reads besides the name. */
const SCORED_TRAITS = ['city', 'vehicle_of_interest'];

/** Both sides of a merge as they were, for the merge record (identities are filled in when written). */
export function profileSnapshot(p: ProfileState): ProfileSnapshot {
  return {
    id: p.id,
    name: p.name,
    traits: structuredClone(p.traits),
    traitSources: structuredClone(p.traitSources),
    tags: [...p.tags],
    lifecycleStage: p.lifecycleStage,
    ownerOrgUnitId: p.ownerOrgUnitId,
    ownerUserId: p.ownerUserId,
    identities: [],
  };
}

/** The survivor takes the absorbed side's traits (by survivorship rule), tags, owner, city and seen times. */
export function foldProfile(
  survivor: ProfileState,
  absorbed: ProfileState,
  settings: CdpSettings,
  kindOf: (sourceId: string | null) => string | null,
): void {
  mergeTraits(survivor, absorbed, settings, kindOf);
  if (!survivor.name && absorbed.name) survivor.name = absorbed.name;
  survivor.tags = [...new Set([...survivor.tags, ...absorbed.tags])];
  survivor.ownerOrgUnitId ??= absorbed.ownerOrgUnitId;
  survivor.ownerUserId ??= absorbed.ownerUserId;
  survivor.city ??= absorbed.city;
  if (absorbed.firstSeenAt < survivor.firstSeenAt) survivor.firstSeenAt = absorbed.firstSeenAt;
  if (absorbed.lastSeenAt > survivor.lastSeenAt) survivor.lastSeenAt = absorbed.lastSeenAt;
  for (const [group, keys] of absorbed.limited) {
    const set = survivor.limited.get(group) ?? new Set<string>();
    for (const k of keys) set.add(k);
    survivor.limited.set(group, set);
  }
}

/**
 * Resolves a batch of messages to profiles in memory, in arrival order, and records what must be
 * written: new profiles and identities, merges, reviews and conflicts. The caller loads the
 * identities and profiles the batch mentions, then writes the plan in one transaction.
 */
export class BatchPlan {
  readonly resolutions = new Map<number, string>();
  readonly newIdentities = new Map<string, NewIdentity>();
  readonly seenIdentities = new Map<string, string>();
  readonly merges: PlannedMerge[] = [];
  readonly reviews: PlannedReview[] = [];
  readonly conflicts = new Map<string, { type: IdentityType; key: string; masked: string; n: number }>();
  readonly changedProfiles = new Set<string>();
  /** Profiles whose name, city, vehicle of interest, phones or e-mails may have changed: the duplicate scan rekeys them. */
  readonly rekeyProfiles = new Set<string>();
  private readonly redirect = new Map<string, string>();

  constructor(
    private readonly settings: CdpSettings,
    /** identity ref → profile id, for the identities that already exist. */
    private readonly owner: Map<string, string>,
    readonly profiles: Map<string, ProfileState>,
    /** identity refs that link nobody any more (shared, blocked). */
    private readonly blocked: Set<string>,
    private readonly kindOf: (sourceId: string | null) => string | null,
    /** Profile pairs ('a|b', a < b) that a person said are two people. */
    private readonly notSame: Set<string> = new Set(),
  ) {}

  current(profileId: string): string {
    let id = profileId;
    for (let i = 0; i < 100 && this.redirect.has(id); i++) id = this.redirect.get(id)!;
    return id;
  }

  private profileOf(identity: IdentityValue): string | undefined {
    const r = ref(identity.type, identity.key);
    const id = this.newIdentities.get(r)?.profileId ?? this.owner.get(r);
    return id ? this.current(id) : undefined;
  }

  private limitOf(type: IdentityType): number | null {
    return this.settings.identityTypes[type]?.maxPerProfile ?? null;
  }

  private priorityOf(type: IdentityType): number {
    return this.settings.identityTypes[type]?.priority ?? 99;
  }

  /** Would this profile hold more values of a limited type than allowed if it took `identities` (all from `sourceId`)? */
  private wouldExceed(profile: ProfileState, identities: IdentityValue[], sourceId: string): IdentityValue | null {
    for (const identity of identities) {
      const limit = this.limitOf(identity.type);
      if (limit === null) continue;
      const held = profile.limited.get(limitGroup(identity.type, sourceId)) ?? new Set<string>();
      const same = identities.filter((i) => i.type === identity.type && !held.has(i.key)).map((i) => i.key);
      if (new Set([...held, ...same]).size > limit) return identity;
    }
    return null;
  }

  private newProfile(at: string): ProfileState {
    const p: ProfileState = {
      id: uuidv7(),
      isNew: true,
      name: null,
      traits: {},
      traitSources: {},
      tags: [],
      lifecycleStage: 'prospect',
      ownerOrgUnitId: null,
      ownerUserId: null,
      city: null,
      firstSeenAt: at,
      lastSeenAt: at,
      limited: new Map(),
      touched: true,
    };
    this.profiles.set(p.id, p);
    return p;
  }

  private attach(profile: ProfileState, identities: IdentityValue[], m: MessageToResolve): void {
    for (const identity of identities) {
      const r = ref(identity.type, identity.key);
      this.seenIdentities.set(r, profile.id);
      if (this.owner.has(r) || this.newIdentities.has(r)) continue;
      this.newIdentities.set(r, { identity, profileId: profile.id, originProfileId: profile.id, sourceId: m.sourceId, at: m.at });
      if (this.limitOf(identity.type) !== null) {
        const group = limitGroup(identity.type, m.sourceId);
        const set = profile.limited.get(group) ?? new Set<string>();
        set.add(identity.key);
        profile.limited.set(group, set);
      }
    }
  }

  private conflict(identity: IdentityValue): void {
    const r = ref(identity.type, identity.key);
    const c = this.conflicts.get(r) ?? { type: identity.type, key: identity.key, masked: identity.masked, n: 0 };
    c.n += 1;
    this.conflicts.set(r, c);
  }

  private merge(survivor: ProfileState, absorbed: ProfileState, reason: string): void {
    this.merges.push({
      id: uuidv7(),
      survivorId: survivor.id,
      absorbedId: absorbed.id,
      reason,
      snapshot: { survivor: profileSnapshot(survivor), absorbed: profileSnapshot(absorbed) },
    });
    foldProfile(survivor, absorbed, this.settings, this.kindOf);
    for (const n of this.newIdentities.values()) if (n.profileId === absorbed.id) n.profileId = survivor.id;
    this.redirect.set(absorbed.id, survivor.id);
    this.changedProfiles.add(survivor.id);
    this.changedProfiles.add(absorbed.id);
    this.rekeyProfiles.add(survivor.id);
    this.rekeyProfiles.add(absorbed.id);
  }

  /** Resolve one message to a profile; returns the profile id its event belongs to. */
  resolve(m: MessageToResolve): string {
    const usable = m.identities.filter((i) => !this.blocked.has(ref(i.type, i.key)));
    const found = new Map<string, IdentityValue[]>(); // profile → the identities of this message it holds
    const fresh: IdentityValue[] = [];
    for (const identity of usable) {
      const p = this.profileOf(identity);
      if (p) found.set(p, [...(found.get(p) ?? []), identity]);
      else fresh.push(identity);
    }
    // The strongest identity decides where the message goes when profiles cannot be joined.
    const byStrength = [...found.entries()].sort(
      (a, b) => Math.min(...a[1].map((i) => this.priorityOf(i.type))) - Math.min(...b[1].map((i) => this.priorityOf(i.type))),
    );
    let target: ProfileState;
    if (byStrength.length === 0) {
      target = this.newProfile(m.at);
    } else {
      target = this.profiles.get(byStrength[0]![0])!;
      if (byStrength.length > 1) {
        const others = byStrength.slice(1).map(([id]) => this.profiles.get(id)!);
        const linking = byStrength.flatMap(([, ids]) => ids).sort((a, b) => this.priorityOf(a.type) - this.priorityOf(b.type));
        const refused = this.refuseMerge(target, others, linking);
        if (!refused) {
          // The oldest profile survives (UUIDv7 ids sort by creation time).
          const all = [target, ...others].sort((a, b) => (a.id < b.id ? -1 : 1));
          const survivor = all[0]!;
          for (const p of all.slice(1)) this.merge(survivor, p, `identity:${linking[0]!.type}`);
          target = survivor;
        }
      }
    }
    // New identities that the target may not hold (a second unionid, another userId of the same source)
    // mean the identities that led here are not this person's alone: start a separate profile for them.
    const clash = this.wouldExceed(target, fresh, m.sourceId);
    if (clash && byStrength.length > 0) {
      const linking = byStrength[0]![1];
      for (const identity of linking) this.conflict(identity);
      this.reviews.push({
        type: linking[0]!.type,
        key: linking[0]!.key,
        masked: linking[0]!.masked,
        profileIds: [target.id],
        reason: 'conflicting_identity',
      });
      target = this.newProfile(m.at);
    }
    this.attach(target, fresh, m);
    for (const identity of usable) this.seenIdentities.set(ref(identity.type, identity.key), this.profileOf(identity) ?? target.id);

    if (m.extracted.name) target.name = m.extracted.name;
    applyTraits(
      target,
      { traits: m.extracted.traits, sourceId: m.sourceId, sourceKind: m.sourceKind, at: m.at },
      this.settings,
      this.kindOf,
    );
    if (m.tags?.length) target.tags = [...new Set([...target.tags, ...m.tags])];
    const city = typeof target.traits.city === 'string' ? target.traits.city : null;
    if (city !== target.city) target.city = city;
    if (m.at > target.lastSeenAt) target.lastSeenAt = m.at;
    if (m.at < target.firstSeenAt) target.firstSeenAt = m.at;
    this.changedProfiles.add(target.id);
    // Most messages (page views, track calls) carry none of what the duplicate scorer reads.
    const scored = m.extracted.name !== null || SCORED_TRAITS.some((k) => k in m.extracted.traits);
    if (scored || fresh.some((i) => i.type === 'phone' || i.type === 'email')) this.rekeyProfiles.add(target.id);
    this.resolutions.set(m.index, target.id);
    return target.id;
  }

  /** Decide whether joining these profiles is safe; records a review when it is not. */
  private refuseMerge(target: ProfileState, others: ProfileState[], linking: IdentityValue[]): boolean {
    const strongest = linking[0]!;
    const all = [target, ...others].map((p) => p.id);
    if (all.some((a) => all.some((b) => a < b && this.notSame.has(`${a}|${b}`)))) return true;
    if (others.length + 1 > this.settings.maxProfilesPerMerge) {
      this.reviews.push({
        type: strongest.type,
        key: strongest.key,
        masked: strongest.masked,
        profileIds: [target.id, ...others.map((o) => o.id)],
        reason: 'too_many_profiles',
      });
      return true;
    }
    const groups = new Set([target, ...others].flatMap((p) => [...p.limited.keys()]));
    for (const group of groups) {
      const limit = this.limitOf(typeOfGroup(group));
      if (limit === null) continue;
      const keys = new Set<string>();
      for (const p of [target, ...others]) for (const k of p.limited.get(group) ?? []) keys.add(k);
      if (keys.size > limit) {
        for (const identity of linking) this.conflict(identity);
        this.reviews.push({
          type: strongest.type,
          key: strongest.key,
          masked: strongest.masked,
          profileIds: [target.id, ...others.map((o) => o.id)],
          reason: 'conflicting_identity',
        });
        return true;
      }
    }
    return false;
  }
}
