//! Statement plans: for one list of policies (a principal's identity policies, its boundary, one
//! SCP or RCP level), where to find the statements that can match an action of a given service,
//! each with the action-pattern ids its action check needs, in a few contiguous arrays.
//!
//! Why: the evaluator is memory-bound. Walking a policy list through the per-policy indexes
//! costs a few cache misses per policy, and one per statement even when the statement's action
//! does not match. A plan skips the policies that name neither the service nor any service, and
//! its segments carry the pattern ids inline, so a statement is read only when its action
//! matches.
//!
//! Each policy's statements are laid out once, as one *segment* per service it names plus one
//! for its any-service statements; a plan holds, per service, *copies* of the segments of its
//! policies, one after another, right after its directory: a principal's plan is cold in a
//! large organization, and a walk then reads the plan's few adjacent cache lines instead of
//! following a reference to each policy's segment elsewhere (most segments at L belong to one
//! principal's own policies, so the copies cost little memory). Policies that name many
//! services (AWS managed policies such as `ReadOnlyAccess`) are kept out of the per-service
//! copies and looked up in their own directory at run time, so they do not multiply every
//! plan's size.
//!
//! A plan visits statements grouped by segment, not in source order, so it serves the decision
//! alone (which counts matches); explanations, which list statements in order, take the
//! per-policy path. Plans are built when the tables are loaded ([`crate::tables::Tables::check`]),
//! deduplicated by policy list, and used only for actions the tables know. A single policy (a
//! resource policy, a managed session policy named by ARN) is walked through its own segments
//! ([`Plans::visit_policy`]).
//!
//! An entry tells the walk what it can decide without reading the statement: trivial
//! statements (they match whenever their action does) and guardrails whose only test is their
//! condition block (the entry names the clause list, `COND`).

use crate::decision::Effect;
use crate::tables::{
    ActionPattern, ActionPatterns, Clause, Policy, PolicyId, PolicyIndexes, ResourcePattern,
    Statement,
};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Index of a plan in [`Plans`].
pub type PlanId = u32;

/// Set in an entry's first word when the statement is a `NotAction`.
const NEGATED: u32 = 1 << 31;
/// Set when the statement matches whenever its action does ([`is_trivial`]: no `Principal` or a
/// bare `Principal: "*"`, a `Resource` list with `*`, no condition). Such a statement is
/// counted without being read (most AWS managed statements, `FullAWSAccess`,
/// `RCPFullAWSAccess`): reading it would be the request's costliest cache miss.
const TRIVIAL: u32 = 1 << 30;
/// Set when the statement is a `Deny`.
const DENY: u32 = 1 << 29;
/// Set when the statement matches whenever its action and its conditions do
/// ([`conditions_only`]): the entry's next word numbers its clause list in
/// [`Segments::conds`], so the walk decides it from the (few, shared, cache-resident) clause
/// lists without reading the statement. At L most statements a request reads are such
/// guardrails (`Deny` unless `aws:RequestedRegion` / `aws:SecureTransport` / ...).
const COND: u32 = 1 << 28;
/// The statement position bits.
const POSITION: u32 = COND - 1;

/// A policy with segments for more services than this is looked up in its own directory at run
/// time.
const WIDE: usize = 24;

/// A `(key, start, end)` directory row: a service id or policy id, and a range.
type Row = (u32, u32, u32);

/// Every plan of the tables, and the policy segments they refer to.
///
/// Both halves are kept in the two parts the loader built side by side (segments of two
/// ranges of policies, plans of two builders) instead of being appended into one: appending
/// copied megabytes into freshly faulted pages (about 8 ms of a 90 ms load at L); keeping
/// them apart costs a request one comparison per plan and segment to pick the part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plans {
    /// The segments of every policy.
    segments: SegmentParts,
    /// The plans: ids below `plan_split` in the first part, the others in the second,
    /// numbered from `plan_split`.
    parts: [Parts; 2],
    plan_split: PlanId,
}

/// The segments of every policy, in the one or two ranges of policies they were laid out in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SegmentParts {
    parts: [Segments; 2],
    /// Policy ids below this are in the first part; the second numbers its policies from here.
    split: PolicyId,
}

impl SegmentParts {
    /// The segments of the policies `0..n` (`first`, n policies) and of those after them.
    pub fn new(first: Segments, rest: Segments) -> SegmentParts {
        let split = PolicyId::try_from(first.policies.len()).unwrap_or(PolicyId::MAX);
        SegmentParts {
            parts: [first, rest],
            split,
        }
    }

    /// The part holding policy `pid`, and the policy's position there.
    fn part(&self, pid: PolicyId) -> (&Segments, usize) {
        let [first, rest] = &self.parts;
        match pid.checked_sub(self.split) {
            None => (first, pid as usize),
            Some(i) => (rest, i as usize),
        }
    }

    /// Policy `pid`'s part and head.
    fn head(&self, pid: PolicyId) -> Option<(&Segments, PolicyHead)> {
        let (part, i) = self.part(pid);
        Some((part, *part.policies.get(i)?))
    }

    /// Whether policy `pid` can be planned.
    fn plannable(&self, pid: PolicyId) -> bool {
        self.head(pid).is_some_and(|(_, h)| h.plannable)
    }

    /// Policy `pid`'s [`HAS_DENY`] and [`ALLOWS_ALL`] flags (a missing policy "has a deny").
    fn summary(&self, pid: PolicyId) -> u8 {
        let (part, i) = self.part(pid);
        part.summary.get(i).copied().unwrap_or(HAS_DENY)
    }
}

/// How a chain of SCP or RCP levels is decided when no explanation is collected and the
/// action is known.
///
/// Why: most real chains have `FullAWSAccess` (or `RCPFullAWSAccess`) at every level, so every
/// level allows every action and only the denies of the chain can change the outcome. Walking
/// the levels one by one visited every level's allow-all statement and paid a plan lookup per
/// level (about a third of a request's instructions at L went to 5 level walks); one plan of
/// the chain's deny-bearing policies answers the same question in one walk, or none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Chain {
    /// Level by level, each through its own plan.
    #[default]
    Levels,
    /// Every level allows every action unconditionally and no policy of the chain has a
    /// `Deny` statement: the chain lets every request through.
    Open,
    /// Every level allows every action unconditionally: the chain denies exactly when a `Deny`
    /// statement of this plan (of the chain's policies with one, each once) matches.
    Denies(PlanId),
}

impl SegmentParts {
    /// The policies of `levels` that have a `Deny` statement (each once, in order), when every
    /// level has a policy that allows every action unconditionally ([`ALLOWS_ALL`]); `None`
    /// when some level has none (its allows then matter). A missing policy counts as having
    /// a deny, so a chain naming one is never [`Chain::Open`].
    pub fn chain_denies<'l>(
        &self,
        levels: impl IntoIterator<Item = &'l [PolicyId]>,
    ) -> Option<Vec<PolicyId>> {
        let mut denies: Vec<PolicyId> = Vec::new();
        for level in levels {
            if !level.iter().any(|p| self.summary(*p) & ALLOWS_ALL != 0) {
                return None;
            }
            for &p in level {
                if self.summary(p) & HAS_DENY != 0 && !denies.contains(&p) {
                    denies.push(p);
                }
            }
        }
        Some(denies)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct PolicyHead {
    dir: (u32, u32),
    any: (u32, u32),
    /// Usable in plans (indexed patterns, positions below [`POSITION`], an index): kept
    /// here rather than in an array of its own so that walking one policy's segments
    /// ([`Plans::visit_policy`]) reads one line for both.
    plannable: bool,
}

/// Words before a plan's directory: `[everything, services, grouped words, any-service words,
/// wide policies]` ([`Parts`]).
const HEADER: usize = 5;

/// One plan, read from its words.
struct PlanView<'p> {
    /// The services some statement of the plan names, ascending.
    services: &'p [u32],
    /// `services.len() + 1` offsets into `grouped`: service `i`'s copies are
    /// `bounds[i]..bounds[i + 1]`.
    bounds: &'p [u32],
    /// Copies of the policies' per-service segments, grouped by service; each copy is
    /// `[policy, n, n entry words]`.
    grouped: &'p [u32],
    /// Copies of the segments of statements that may match any service, likewise.
    any: &'p [u32],
    /// Policies looked up in their own directory.
    wide: &'p [u32],
}

/// Calls `f` for every entry of the segment copies `[policy, n, n words]…` in `words`.
fn copies(segs: &SegmentParts, mut words: &[u32], f: &mut impl FnMut(Entry<'_>)) {
    while let [pid, n, rest @ ..] = words {
        let Some((seg, after)) = rest.split_at_checked(*n as usize) else {
            return;
        };
        entries(segs.part(*pid).0, *pid, seg, f);
        words = after;
    }
}

/// Per policy in [`Segments::summary`]: it has a `Deny` statement.
const HAS_DENY: u8 = 1;
/// Per policy: a trivial `Allow` of an `Any` pattern (`"Action": "*"`) matches every action.
const ALLOWS_ALL: u8 = 2;

fn slice<T>(v: &[T], (a, b): (u32, u32)) -> &[T] {
    v.get(a as usize..b as usize).unwrap_or(&[])
}

/// One statement as a plan lists it.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'p> {
    /// The policy.
    pub policy: PolicyId,
    /// The statement's position in it.
    pub position: u32,
    /// `NotAction`.
    pub negated: bool,
    /// Matches whenever its action does ([`is_trivial`]): `deny` tells its effect, and the
    /// statement need not be read.
    pub trivial: bool,
    /// A `Deny` statement.
    pub deny: bool,
    /// For a statement that matches whenever its action and these clauses do
    /// ([`conditions_only`]): the clauses, so that the statement need not be read.
    pub cond: Option<&'p [Clause]>,
    /// The pattern ids of the action check, sorted.
    pub ids: &'p [u32],
}

/// Whether `st` matches whenever its action does, whoever asks, for whatever resource and in
/// whatever context: no condition, a `*` resource, and either no `Principal` or a bare
/// `Principal: "*"` (which [`crate::eval::caller::match_principal`] matches for every caller,
/// as the strongest kind: `RCPFullAWSAccess` and open resource policies). A `NotPrincipal` or
/// an `{"AWS": "*"}` entry is not: what they match depends on the caller.
pub fn is_trivial(st: &Statement) -> bool {
    st.conditions.is_empty() && any_caller_any_resource(st)
}

/// Whether `st` matches whenever its action and its conditions do: [`is_trivial`] but for a
/// non-empty condition block.
pub fn conditions_only(st: &Statement) -> bool {
    !st.conditions.is_empty() && any_caller_any_resource(st)
}

/// No `Principal` or a bare `Principal: "*"`, and a `Resource` list with `*`.
fn any_caller_any_resource(st: &Statement) -> bool {
    st.principal
        .as_deref()
        .is_none_or(|p| p.wildcard && !p.negated)
        && st
            .resources
            .as_ref()
            .is_some_and(|r| !r.negated && r.items.contains(&ResourcePattern::Any))
}

/// Calls `f` for every entry of a segment of `policy`.
fn entries(part: &Segments, policy: PolicyId, mut words: &[u32], f: &mut impl FnMut(Entry<'_>)) {
    while let [first, n, rest @ ..] = words {
        let n = *n as usize;
        // A clause list that is not there leaves `cond` empty: the walk then reads the
        // statement, which decides it the long way (never a match by default).
        let (cond, rest) = match rest {
            [c, after @ ..] if first & COND != 0 => (part.conds.get(*c as usize), after),
            _ => (None, rest),
        };
        let Some(ids) = rest.get(..n) else {
            return;
        };
        f(Entry {
            policy,
            position: first & POSITION,
            negated: first & NEGATED != 0,
            trivial: first & TRIVIAL != 0,
            deny: first & DENY != 0,
            cond: cond.map(|c| &**c),
            ids,
        });
        words = rest.get(n..).unwrap_or(&[]);
    }
}

impl Plans {
    /// Calls `f` for every statement of policy `pid` that can match an action of `service`,
    /// each exactly once, grouped by segment (a resource policy or a session policy named by
    /// ARN: one policy, not a planned list). False, having called nothing, when the policy
    /// cannot be planned; the caller then walks it the per-policy way.
    pub fn visit_policy(&self, pid: PolicyId, service: u32, mut f: impl FnMut(Entry<'_>)) -> bool {
        let Some((part, ph)) = self.segments.head(pid).filter(|(_, h)| h.plannable) else {
            return false;
        };
        let dir = slice(&part.policy_dir, ph.dir);
        if let Ok(i) = dir.binary_search_by_key(&service, |r| r.0)
            && let Some(&(_, a, b)) = dir.get(i)
        {
            entries(part, pid, slice(&part.words, (a, b)), &mut f);
        }
        entries(part, pid, slice(&part.words, ph.any), &mut f);
        true
    }

    /// Calls `f` for every statement of `plan` that can match an action of `service`: each
    /// exactly once, grouped by policy segment.
    pub fn visit(&self, plan: PlanId, service: u32, mut f: impl FnMut(Entry<'_>)) {
        let Some(p) = self.plan(plan) else {
            return;
        };
        let segs = &self.segments;
        if let Ok(i) = p.services.binary_search(&service)
            && let (Some(&a), Some(&b)) = (p.bounds.get(i), p.bounds.get(i + 1))
        {
            copies(segs, slice(p.grouped, (a, b)), &mut f);
        }
        copies(segs, p.any, &mut f);
        for &pid in p.wide {
            let Some((s, ph)) = segs.head(pid) else {
                continue;
            };
            let dir = slice(&s.policy_dir, ph.dir);
            if let Ok(i) = dir.binary_search_by_key(&service, |r| r.0)
                && let Some(&(_, a, b)) = dir.get(i)
            {
                entries(s, pid, slice(&s.words, (a, b)), &mut f);
            }
        }
    }

    /// Plan `plan`'s words, from its header on.
    fn words(&self, plan: PlanId) -> &[u32] {
        let [first, rest] = &self.parts;
        let (part, at) = match plan.checked_sub(self.plan_split) {
            None => (first, plan),
            Some(at) => (rest, at),
        };
        part.words.get(at as usize..).unwrap_or(&[])
    }

    /// Plan `plan`, read from its words.
    fn plan(&self, plan: PlanId) -> Option<PlanView<'_>> {
        let [_, ndir, ngrouped, nany, nwide, rest @ ..] = self.words(plan) else {
            return None;
        };
        let ndir = *ndir as usize;
        let (services, rest) = rest.split_at_checked(ndir)?;
        let (bounds, rest) = rest.split_at_checked(ndir.checked_add(1)?)?;
        let (grouped, rest) = rest.split_at_checked(*ngrouped as usize)?;
        let (any, rest) = rest.split_at_checked(*nany as usize)?;
        let wide = rest.get(..*nwide as usize)?;
        Some(PlanView {
            services,
            bounds,
            grouped,
            any,
            wide,
        })
    }

    /// Whether the plan's policies allow every action unconditionally and deny nothing (a
    /// level with `FullAWSAccess` or `RCPFullAWSAccess` and no deny statement, an
    /// `AdministratorAccess` identity): a walk would find "some allow, no deny" for every
    /// action, so the evaluator takes that answer without walking. Most SCP and RCP levels of
    /// real organizations are such levels.
    pub fn allows_everything(&self, plan: PlanId) -> bool {
        self.words(plan).first().is_some_and(|w| *w != 0)
    }

    /// The number of plans.
    pub fn len(&self) -> usize {
        self.parts.iter().map(Parts::len).sum()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Memory the plans and segments hold, in bytes.
    pub fn bytes(&self) -> usize {
        use std::mem::size_of;
        let segments: usize = (self.segments.parts.iter())
            .map(|s| {
                s.policies.len() * size_of::<PolicyHead>()
                    + s.policy_dir.len() * size_of::<Row>()
                    + s.words.len() * 4
            })
            .sum();
        let plans: usize = self.parts.iter().map(|p| p.words.len() * 4).sum();
        segments + plans
    }
}

/// The segments of a range of policies (ids local to the range), laid out once: the first
/// half of [`Plans`]. Two ranges are built side by side ([`SegmentParts`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Segments {
    policies: Vec<PolicyHead>,
    policy_dir: Vec<Row>,
    words: Vec<u32>,
    /// Per policy: [`HAS_DENY`], [`ALLOWS_ALL`].
    summary: Vec<u8>,
    /// The distinct clause lists of the [`COND`] entries, numbered by first use.
    conds: Vec<Arc<[Clause]>>,
}

impl Segments {
    /// Lays out the segments of `policies` (ids are positions in the slice; `index` is their
    /// [`PolicyIndexes`], likewise): `patterns`, `service_patterns` and `any_patterns` are the
    /// tables' action patterns and the derived maps `Tables::check` computed.
    pub fn build(
        policies: &[Policy],
        index: &PolicyIndexes,
        patterns: &[ActionPattern],
        service_patterns: &[(u32, u32)],
        any_patterns: u32,
    ) -> Segments {
        let mut segs = Segments::default();
        // Sized once (an entry is 2 words and a few pattern ids, about 4 words at L): growing
        // by doubling copied megabytes into freshly faulted pages. Unused capacity stays
        // virtual.
        let entries = index.entries();
        segs.words.reserve(entries.saturating_mul(5));
        segs.policy_dir.reserve(entries);
        segs.policies.reserve(policies.len());
        segs.summary.reserve(policies.len());
        // Without contiguous service ranges (tables not written by the compiler) no plan is
        // built and the evaluator takes the per-policy path.
        let grouped = !service_patterns.is_empty() || patterns.is_empty();
        let mut kept_memo: FxHashMap<(usize, u32), (u32, u32)> = FxHashMap::default();
        let mut kept_ids: Vec<u32> = Vec::new();
        // The ids of `ids` a request for `service` (any service when `None`) can hit, appended
        // to `out`; returns their range there.
        let keep = |ids: &[u32], service: Option<u32>, out: &mut Vec<u32>| {
            let start = out.len() as u32;
            // The ids are sorted (`Tables::check`): the `Any` patterns come first and each
            // service's patterns are one range, so a service keeps two slices.
            let kept: [&[u32]; 2] = match service {
                None => [ids, &[]],
                Some(s) => {
                    let any_end = ids.partition_point(|i| *i < any_patterns);
                    let (lo, hi) = service_patterns.get(s as usize).copied().unwrap_or((0, 0));
                    let from = ids.partition_point(|i| *i < lo);
                    let to = ids.partition_point(|i| *i < hi);
                    [
                        ids.get(..any_end).unwrap_or(&[]),
                        ids.get(from.max(any_end)..to.max(from.max(any_end)))
                            .unwrap_or(&[]),
                    ]
                }
            };
            for &id in kept.iter().copied().flatten() {
                let never = matches!(patterns.get(id as usize), Some(ActionPattern::Never) | None);
                if !never {
                    out.push(id);
                }
            }
            (start, out.len() as u32)
        };
        // Per statement of the current policy: its entry flags, worked out once however many
        // service segments list it.
        let mut flags: Vec<u32> = Vec::new();
        // Per statement of the current policy: its clause list's number, for `COND` entries.
        let mut cond_ids: Vec<u32> = Vec::new();
        // Clause lists numbered by address first (the loader shares equal lists, so this is
        // nearly every lookup), then by content: compiled and loaded tables number alike.
        let mut cond_by_ptr: FxHashMap<usize, u32> = FxHashMap::default();
        let mut cond_by_content: FxHashMap<&[Clause], u32> = FxHashMap::default();
        for (pid, policy) in policies.iter().enumerate() {
            let mut summary = 0;
            let mut indexed = true;
            flags.clear();
            cond_ids.clear();
            for st in &policy.statements {
                indexed &= matches!(st.actions.patterns, ActionPatterns::Indexed(_));
                let trivial = is_trivial(st);
                let mut f = 0;
                let mut cond_id = u32::MAX;
                if conditions_only(st) {
                    let ptr = Arc::as_ptr(&st.conditions).cast::<Clause>() as usize;
                    let next = u32::try_from(segs.conds.len()).unwrap_or(u32::MAX);
                    let id = match cond_by_ptr.get(&ptr) {
                        Some(id) => *id,
                        None => {
                            let id = *cond_by_content.entry(&st.conditions).or_insert(next);
                            if id == next {
                                segs.conds.push(st.conditions.clone());
                            }
                            cond_by_ptr.insert(ptr, id);
                            id
                        }
                    };
                    if id != u32::MAX {
                        f |= COND;
                        cond_id = id;
                    }
                }
                cond_ids.push(cond_id);
                if st.actions.negated {
                    f |= NEGATED;
                }
                if trivial {
                    f |= TRIVIAL;
                }
                if st.effect == Effect::Deny {
                    f |= DENY;
                }
                flags.push(f);
                if st.effect == Effect::Deny {
                    summary |= HAS_DENY;
                } else if !st.actions.negated
                    && trivial
                    && let ActionPatterns::Indexed(ids) = &st.actions.patterns
                    && ids.iter().any(|i| {
                        *i < any_patterns && patterns.get(*i as usize) == Some(&ActionPattern::Any)
                    })
                {
                    summary |= ALLOWS_ALL;
                }
            }
            segs.summary.push(summary);
            let ok = grouped && policy.statements.len() < POSITION as usize && indexed;
            let ix = index.get(pid as PolicyId);
            // A policy without an index is walked whole, never skipped by a plan.
            let ok = ok && ix.is_some();
            let (Some(ix), true) = (ix, ok) else {
                segs.policies.push(PolicyHead::default());
                continue;
            };
            let mut push = |positions: &[u32], service: Option<u32>, words: &mut Vec<u32>| {
                for &pos in positions {
                    let Some(st) = policy.statements.get(pos as usize) else {
                        continue;
                    };
                    let ActionPatterns::Indexed(ids) = &st.actions.patterns else {
                        continue; // excluded above
                    };
                    let start = words.len();
                    let f = flags.get(pos as usize).copied().unwrap_or(0);
                    words.push(pos | f);
                    words.push(0);
                    if f & COND != 0 {
                        words.push(cond_ids.get(pos as usize).copied().unwrap_or(u32::MAX));
                    }
                    // Statements share their id lists (`Arc`): each list's kept ids for a
                    // service are worked out once, keyed by the list's address.
                    let key = (
                        Arc::as_ptr(ids).cast::<u32>() as usize,
                        service.unwrap_or(u32::MAX),
                    );
                    let (a, b) = *kept_memo
                        .entry(key)
                        .or_insert_with(|| keep(ids, service, &mut kept_ids));
                    words.extend_from_slice(kept_ids.get(a as usize..b as usize).unwrap_or(&[]));
                    let n = (words.len() - start - 2 - usize::from(f & COND != 0)) as u32;
                    if n == 0 && !st.actions.negated {
                        // Cannot match any action of this service.
                        words.truncate(start);
                    } else if let Some(slot) = words.get_mut(start + 1) {
                        *slot = n;
                    }
                }
            };
            let dir_start = segs.policy_dir.len() as u32;
            for (s, positions) in ix.by_service() {
                let a = segs.words.len() as u32;
                push(positions, Some(s), &mut segs.words);
                let b = segs.words.len() as u32;
                if b > a {
                    segs.policy_dir.push((s, a, b));
                }
            }
            let dir_end = segs.policy_dir.len() as u32;
            let a = segs.words.len() as u32;
            push(ix.any, None, &mut segs.words);
            let b = segs.words.len() as u32;
            segs.policies.push(PolicyHead {
                dir: (dir_start, dir_end),
                any: (a, b),
                plannable: true,
            });
        }
        segs
    }
}

/// The plans of some policy lists (the second half of [`Plans`]), as a [`Builder`] made them.
///
/// Each plan is one contiguous run of words, and its id is where the run starts: a
/// principal's identity plan is cold in a large organization, and a visit reads a few
/// adjacent cache lines instead of a head, a directory, references and segments in four
/// places. A run is `HEADER` words (`[everything, d, g, a, w]`: [`Plans::allows_everything`]
/// and the counts that follow), `d` service ids (ascending), `d + 1` offsets into the grouped
/// copies (service `i`'s are `offsets[i]..offsets[i + 1]`), `g` words of segment copies
/// grouped by service (each `[policy, n, n entry words]`, in list order within a service), `a`
/// words of copies of the any-service segments, and `w` ids of wide policies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    words: Vec<u32>,
    count: usize,
}

impl Parts {
    /// The number of plans.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The first id after this part's plans (the next part numbers its plans from here).
    pub fn id_end(&self) -> usize {
        self.words.len()
    }
}

impl Plans {
    /// The plans of two builders over the segments `segments` (of every policy of the
    /// tables): `first`'s plans keep their ids, `rest`'s are numbered after them.
    pub fn new(segments: SegmentParts, first: Parts, rest: Parts) -> Plans {
        let plan_split = PlanId::try_from(first.id_end()).unwrap_or(PlanId::MAX);
        Plans {
            segments,
            parts: [first, rest],
            plan_split,
        }
    }
}

/// Builds plans over every policy's segments, one per distinct policy list.
pub struct Builder<'t> {
    segments: &'t SegmentParts,
    /// Lists already planned, borrowed from the tables (a copy per plan cost a sixth of the
    /// building).
    seen: FxHashMap<&'t [PolicyId], PlanId>,
    parts: Parts,
    /// Scratch for one plan: `(service, segment)`, reused so that building a plan allocates
    /// nothing once it has grown.
    rows: Vec<(u32, Row)>,
    /// Scratch: the plan's wide policies.
    wide: Vec<PolicyId>,
    /// Scratch: the any-service segments of the plan's policies, in list order.
    any: Vec<Row>,
}

impl<'t> Builder<'t> {
    /// A builder over the segments of every policy of checked tables.
    pub fn new(segments: &'t SegmentParts) -> Builder<'t> {
        Builder {
            segments,
            seen: FxHashMap::default(),
            parts: Parts::default(),
            rows: Vec::new(),
            wide: Vec::new(),
            any: Vec::new(),
        }
    }

    /// The plan of `list`, built once per distinct list; `None` when some policy of it cannot
    /// be planned (the evaluator then uses the per-policy path).
    pub fn plan(&mut self, list: &'t [PolicyId]) -> Option<PlanId> {
        if let Some(id) = self.seen.get(list) {
            return Some(*id);
        }
        if !list.iter().all(|p| self.segments.plannable(*p)) {
            return None;
        }
        let id = PlanId::try_from(self.parts.words.len()).ok()?;
        let segs = self.segments;
        // Per service: the segments of the list's narrow policies, in list order (a stable
        // sort by service of one flat list: no allocation per service; each policy's rows
        // are already sorted, and the stable sort merges such runs cheaply).
        let (rows, wide) = (&mut self.rows, &mut self.wide);
        rows.clear();
        wide.clear();
        for &pid in list {
            let Some((s, ph)) = segs.head(pid) else {
                continue;
            };
            // Counted from the policy's own directory (one row per service with a segment):
            // the index would be another read per policy of every plan.
            if ph.dir.1.saturating_sub(ph.dir.0) as usize > WIDE {
                wide.push(pid);
                continue;
            }
            rows.extend(
                slice(&s.policy_dir, ph.dir)
                    .iter()
                    .map(|&(s, a, b)| (s, (pid, a, b))),
            );
        }
        rows.sort_by_key(|r| r.0);
        let summary = |pid: &PolicyId| segs.summary(*pid);
        let everything = list.iter().all(|p| summary(p) & HAS_DENY == 0)
            && list.iter().any(|p| summary(p) & ALLOWS_ALL != 0);
        // A copy is `[policy, n, n words]`; the counts in the header are worked out from the
        // very words `copy` writes, so that a plan's parts always end where the header says.
        let seg_words = |(pid, a, b): Row| -> &[u32] {
            let words = &segs.part(pid).0.words;
            words.get(a as usize..b as usize).unwrap_or(&[])
        };
        let copy_len = |r: Row| 2 + seg_words(r).len();
        let any: &mut Vec<Row> = &mut self.any;
        any.clear();
        any.extend(list.iter().filter_map(|&pid| {
            let (_, ph) = segs.head(pid)?;
            (ph.any.1 > ph.any.0).then_some((pid, ph.any.0, ph.any.1))
        }));
        let n32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let header: [u32; HEADER] = [
            u32::from(everything),
            n32(rows.chunk_by(|a, b| a.0 == b.0).count()),
            n32(rows.iter().map(|r| copy_len(r.1)).sum()),
            n32(any.iter().map(|r| copy_len(*r)).sum()),
            n32(wide.len()),
        ];
        let w = &mut self.parts.words;
        w.extend_from_slice(&header);
        w.extend(
            rows.chunk_by(|a, b| a.0 == b.0)
                .map(|g| g.first().map_or(0, |r| r.0)),
        );
        let mut at = 0;
        w.push(0);
        for group in rows.chunk_by(|a, b| a.0 == b.0) {
            at += group.iter().map(|r| copy_len(r.1)).sum::<usize>();
            w.push(n32(at));
        }
        let mut copy = |r: Row| {
            let words = seg_words(r);
            w.extend_from_slice(&[r.0, n32(words.len())]);
            w.extend_from_slice(words);
        };
        rows.iter().for_each(|r| copy(r.1));
        any.iter().for_each(|r| copy(*r));
        w.extend_from_slice(wide);
        self.parts.count += 1;
        self.seen.insert(list, id);
        Some(id)
    }

    /// Every built plan.
    pub fn finish(self) -> Parts {
        self.parts
    }
}

#[cfg(test)]
mod tests {
    use super::{conditions_only, is_trivial};
    use crate::decision::Effect;
    use crate::eval::caller::{Caller, MatchKind, match_principal};
    use crate::principal::{Principal, PrincipalKind, PrincipalType};
    use crate::tables::{
        ActionPatterns, Actions, Principals, ResourcePattern, Resources, Statement,
    };

    fn statement(principal: Option<Principals>, resources: Option<Resources>) -> Statement {
        Statement {
            index: 0,
            sid: None,
            effect: Effect::Allow,
            principal: principal.map(Box::new),
            actions: Actions {
                negated: false,
                patterns: ActionPatterns::Indexed(vec![0].into()),
            },
            resources,
            conditions: Vec::new().into(),
        }
    }

    fn star(negated: bool) -> Option<Resources> {
        Some(Resources {
            negated,
            items: vec![ResourcePattern::Any].into(),
        })
    }

    fn principals(negated: bool, wildcard: bool, entries: &[(PrincipalType, &str)]) -> Principals {
        Principals {
            negated,
            wildcard,
            entries: entries.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    #[test]
    fn only_statements_that_match_every_caller_resource_and_context_are_trivial() {
        let aws_star = [(PrincipalType::Aws, "*")];
        let account = [(PrincipalType::Aws, "111122223333")];
        let cases = [
            (statement(None, star(false)), true),
            (
                statement(Some(principals(false, true, &[])), star(false)),
                true,
            ),
            (statement(None, None), false),
            (statement(None, star(true)), false),
            (
                statement(
                    None,
                    Some(Resources {
                        negated: false,
                        items: vec![ResourcePattern::Exact("arn:aws:s3:::b".into())].into(),
                    }),
                ),
                false,
            ),
            (
                statement(Some(principals(true, true, &[])), star(false)),
                false,
            ),
            (
                statement(Some(principals(false, false, &aws_star)), star(false)),
                false,
            ),
            (
                statement(Some(principals(false, false, &account)), star(false)),
                false,
            ),
        ];
        for (i, (st, want)) in cases.iter().enumerate() {
            assert_eq!(is_trivial(st), *want, "case {i}: {st:?}");
        }
        let mut conditional = statement(None, star(false));
        conditional.conditions = vec![crate::tables::Clause::new(
            crate::operator::Operator::parse("Bool").unwrap(),
            "aws:securetransport".into(),
            vec![Some(crate::cond_value::CondValue::Bool(true))],
        )]
        .into();
        assert!(!is_trivial(&conditional));
        // The same statement with its conditions is decided from them alone; none of the
        // unconditional ones is, nor a conditional one that names its resource or callers.
        assert!(conditions_only(&conditional));
        for (i, (st, _)) in cases.iter().enumerate() {
            assert!(!conditions_only(st), "case {i}: {st:?}");
            let mut with = st.clone();
            with.conditions = conditional.conditions.clone();
            assert_eq!(
                conditions_only(&with),
                cases[i].1,
                "case {i} with a condition"
            );
        }
    }

    /// What the plan walk counts for a trivial statement without reading it (an allow of the
    /// strongest kind) is what reading it gives, for every kind of caller.
    #[test]
    fn a_bare_star_principal_matches_every_caller_directly() {
        let wildcard = principals(false, true, &[]);
        let callers = [
            Principal::anonymous(),
            Principal::service("lambda.amazonaws.com"),
            Principal::federated_identity(PrincipalKind::WebIdentity, "accounts.google.com"),
            Principal::parse("arn:aws:iam::111122223333:root").unwrap(),
            Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap(),
            Principal::parse("arn:aws:sts::111122223333:assumed-role/R/s").unwrap(),
            Principal::parse("arn:aws:sts::111122223333:federated-user/bob").unwrap(),
        ];
        for p in &callers {
            assert_eq!(
                match_principal(&wildcard, &Caller::of(p)),
                Some(MatchKind::Direct),
                "{p:?}"
            );
        }
    }
}
