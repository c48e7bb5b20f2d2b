#!/usr/bin/env python3
"""Differential comparison of Gavel with the peer simulator (@cloud-copilot/iam-simulate).

Python 3 standard library only. The peer is only ever run as a separate process
(tools/peer/run.sh); nothing of it is imported here.

Subcommands (run `compare.py SUBCOMMAND --help` for the options):

  run       Evaluate CASES with both engines (or read given answer files), join the answers by
            id, and with --minimize: minimize every disagreement (remove policies, statements,
            elements, condition clauses, context keys one at a time while the disagreement
            persists), classify it by the construct that causes it, confirm the classification
            on the minimal case and explain the original case (neutralizers, below). Prints a
            table; --report writes one JSON line per disagreement (id, gavel, peer, category,
            minimal case).
  classify  Re-classify (and confirm) the minimal cases of run reports.
  corpus    Select a balanced subset of generated cases (run prefixes as input) and write the
            committed files corpus/conformance/peer-<n>.jsonl and peer-minimal.jsonl with
            `expect` (Gavel's decision) and, where the peer differs, `peer` and `description`.
  check     Re-run both engines on committed peer-*.jsonl files: Gavel must give `expect`, the
            peer must give `peer` (or `expect` where no `peer` is recorded). Exit 1 on a
            mismatch.

Categories (CATEGORY_INFO; see tools/peer/README.md for who is right and why) are decided on the
MINIMIZED case, so they name the construct that still causes the disagreement once everything
that does not matter has been removed. A neutralizer rewrites a category's construct away in a
way that, per the spec, cannot change Gavel's decision; if the peer then agrees, the construct
was the whole cause.
"""

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_GAVEL = os.path.join(REPO, "target", "release", "gavel")
DEFAULT_PEER = os.path.join(HERE, "run.sh")

DECISIONS = ("Allow", "ExplicitDeny", "ImplicitDeny")


# --------------------------------------------------------------------------------------------
# Running the engines


def _write_cases(cases, path):
    with open(path, "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, separators=(",", ":")) + "\n")


def _read_answers(text):
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            a = json.loads(line)
        except ValueError:
            continue
        if isinstance(a, dict) and a.get("id") is not None:
            out[a["id"]] = a
    return out


def gavel_decisions(cases, gavel=DEFAULT_GAVEL):
    """{id: decision or None (error)} from `gavel eval --cases`."""
    if not cases:
        return {}
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "cases.jsonl")
        _write_cases(cases, p)
        r = subprocess.run([gavel, "eval", "--cases", p], capture_output=True, text=True)
    ans = _read_answers(r.stdout)
    return {i: a.get("decision") for i, a in ans.items()}


def gavel_answers(cases, gavel=DEFAULT_GAVEL):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "cases.jsonl")
        _write_cases(cases, p)
        r = subprocess.run([gavel, "eval", "--cases", p], capture_output=True, text=True)
    return _read_answers(r.stdout)


def peer_decisions(cases, peer=DEFAULT_PEER, jobs=None):
    """{id: decision or None (error)} from tools/peer/run.sh, split over `jobs` processes."""
    if not cases:
        return {}
    jobs = jobs or max(1, min(4, os.cpu_count() or 1))
    jobs = min(jobs, max(1, len(cases) // 200 + 1))
    chunk = (len(cases) + jobs - 1) // jobs
    out = {}
    with tempfile.TemporaryDirectory() as d:
        procs = []
        for j in range(jobs):
            part = cases[j * chunk:(j + 1) * chunk]
            if not part:
                continue
            p = os.path.join(d, f"cases-{j}.jsonl")
            _write_cases(part, p)
            o = open(os.path.join(d, f"out-{j}.jsonl"), "w", encoding="utf-8")
            procs.append((subprocess.Popen(["bash", peer, p], stdout=o,
                                           stderr=subprocess.DEVNULL), o, o.name))
        for proc, o, name in procs:
            proc.wait()
            o.close()
            with open(name, encoding="utf-8") as f:
                for i, a in _read_answers(f.read()).items():
                    out[i] = a.get("peer")
    return out


# --------------------------------------------------------------------------------------------
# Minimization: one-step reductions of a case


def _statements(doc):
    """(container path suffix, list of statements) of a policy document, or None."""
    if not isinstance(doc, dict):
        return None
    s = doc.get("Statement")
    if isinstance(s, list):
        return s
    if isinstance(s, dict):
        return [s]
    return None


def _policy_doc_paths(case):
    """Paths (tuples) of every policy document in the case, with its kind."""
    out = []

    def doc_path(base, pol):
        if isinstance(pol, dict) and "document" in pol and "Statement" not in pol:
            return base + ("document",)
        return base

    for i, p in enumerate(case.get("identityPolicies") or []):
        out.append(("identity", doc_path(("identityPolicies", i), p)))
    if isinstance(case.get("resourcePolicy"), dict):
        out.append(("resource", doc_path(("resourcePolicy",), case["resourcePolicy"])))
    for i, p in enumerate(case.get("permissionBoundaries") or []):
        out.append(("boundary", doc_path(("permissionBoundaries", i), p)))
    sp = case.get("sessionPolicy")
    if isinstance(sp, list):
        for i, p in enumerate(sp):
            out.append(("session", doc_path(("sessionPolicy", i), p)))
    elif isinstance(sp, dict):
        out.append(("session", doc_path(("sessionPolicy",), sp)))
    for kind in ("scps", "rcps"):
        for l, level in enumerate(case.get(kind) or []):
            for i, p in enumerate(level):
                out.append((kind[:-1], doc_path((kind, l, i), p)))
    return out


def _get(obj, path):
    for k in path:
        obj = obj[k]
    return obj


def _units(case):
    """Removable units of `case`, largest first: (path, description).

    A path ending in an index removes a list element; ending in a key removes the key. Lists
    that must stay non-empty are only offered when they have more than one element."""
    units = []
    # Whole policies / policy sets.
    for i, _ in enumerate(case.get("identityPolicies") or []):
        units.append((("identityPolicies", i), "identity policy"))
    if "resourcePolicy" in case:
        units.append((("resourcePolicy",), "resource policy"))
    if case.get("permissionBoundaries") is not None:
        units.append((("permissionBoundaries",), "boundary"))
    sp = case.get("sessionPolicy")
    if isinstance(sp, list) and len(sp) > 1:
        for i in range(len(sp)):
            units.append((("sessionPolicy", i), "session policy"))
    if sp is not None:
        units.append((("sessionPolicy",), "session policies"))
    for kind in ("scps", "rcps"):
        levels = case.get(kind)
        if levels is None:
            continue
        units.append(((kind,), kind))
        if len(levels) > 1:
            for l in range(len(levels)):
                units.append(((kind, l), kind + " level"))
        for l, level in enumerate(levels):
            for i in range(len(level)):
                if kind == "rcps" or len(level) > 1:
                    units.append(((kind, l, i), kind[:-1] + " policy"))
    # Statements and their parts.
    for _, dp in _policy_doc_paths(case):
        doc = _get(case, dp)
        st = doc.get("Statement") if isinstance(doc, dict) else None
        if isinstance(st, list):
            spaths = [(dp + ("Statement", j), s) for j, s in enumerate(st)]
            if len(st) > 1:
                for p, _ in spaths:
                    units.append((p, "statement"))
        elif isinstance(st, dict):
            spaths = [(dp + ("Statement",), st)]
        else:
            spaths = []
        for sp_, s in spaths:
            if not isinstance(s, dict):
                continue
            if "Sid" in s:
                units.append((sp_ + ("Sid",), "sid"))
            cond = s.get("Condition")
            if isinstance(cond, dict):
                units.append((sp_ + ("Condition",), "condition"))
                for op, block in cond.items():
                    if len(cond) > 1:
                        units.append((sp_ + ("Condition", op), "condition operator"))
                    if isinstance(block, dict):
                        for key, vals in block.items():
                            if len(block) > 1:
                                units.append((sp_ + ("Condition", op, key), "condition key"))
                            if isinstance(vals, list) and len(vals) > 1:
                                for v in range(len(vals)):
                                    units.append((sp_ + ("Condition", op, key, v),
                                                  "condition value"))
            for el in ("Action", "NotAction", "Resource", "NotResource"):
                v = s.get(el)
                if isinstance(v, list) and len(v) > 1:
                    for k in range(len(v)):
                        units.append((sp_ + (el, k), el.lower() + " entry"))
            for el in ("Principal", "NotPrincipal"):
                v = s.get(el)
                if isinstance(v, dict):
                    if len(v) > 1:
                        for t in v:
                            units.append((sp_ + (el, t), el.lower() + " type"))
                    for t, vals in v.items():
                        if isinstance(vals, list) and len(vals) > 1:
                            for k in range(len(vals)):
                                units.append((sp_ + (el, t, k), el.lower() + " entry"))
    # Request.
    req = case.get("request") or {}
    for k in ("roleArn", "parentArn"):
        if k in req:
            units.append((("request", k), k))
    ctx = req.get("context") or {}
    for k, v in ctx.items():
        units.append((("request", "context", k), "context key"))
        if isinstance(v, list) and len(v) > 1:
            for j in range(len(v)):
                units.append((("request", "context", k, j), "context value"))
    return units


def _remove(case, paths):
    """A copy of `case` without the given paths (ancestors win; later indices first)."""
    c = copy.deepcopy(case)
    paths = sorted(set(paths), reverse=True)
    kept = []
    for p in paths:
        if any(q != p and p[:len(q)] == q for q in paths):
            continue
        kept.append(p)
    for p in kept:
        parent = _get(c, p[:-1])
        k = p[-1]
        if isinstance(parent, list):
            del parent[k]
        else:
            parent.pop(k, None)
    # Tidy: a statement list of one element may stay a list; empty containers are removed
    # where the format allows it.
    if c.get("sessionPolicy") == []:
        del c["sessionPolicy"]
    return c


def minimize(cases, ans_g, ans_p, gavel, peer, log=None, max_rounds=60):
    """Minimize each disagreeing case: returns {id: (minimal case, removed count)}.

    Criterion: Gavel and the peer still give the SAME pair of decisions as on the original
    case. Each round tries every one-step reduction of every unfinished case in one batch per
    engine; then the union of all successful reductions is tried, else the first (largest)
    successful one is taken."""
    state = {}
    for c in cases:
        i = c["id"]
        state[i] = {"case": c, "target": (ans_g[i], ans_p[i]), "done": False, "removed": 0}
    for rnd in range(max_rounds):
        active = [i for i, s in state.items() if not s["done"]]
        if not active:
            break
        variants = []
        meta = {}
        for i in active:
            s = state[i]
            for k, (path, _) in enumerate(_units(s["case"])):
                v = _remove(s["case"], [path])
                vid = f"{i}~{rnd}~{k}"
                v["id"] = vid
                variants.append(v)
                meta[vid] = (i, path)
        t0 = time.time()
        g = gavel_decisions(variants, gavel)
        # Only ask the peer about variants on which Gavel still gives its decision.
        keep = [v for v in variants if g.get(v["id"]) == state[meta[v["id"]][0]]["target"][0]]
        p = peer_decisions(keep, peer)
        good = defaultdict(list)
        for v in keep:
            vid = v["id"]
            i, path = meta[vid]
            if p.get(vid) == state[i]["target"][1]:
                good[i].append(path)
        if log:
            log(f"  round {rnd}: {len(active)} cases, {len(variants)} variants, "
                f"{len(keep)} to the peer, {sum(1 for i in active if good[i])} shrank "
                f"({time.time() - t0:.1f}s)")
        # Combined reductions.
        combos = []
        for i in active:
            if not good[i]:
                state[i]["done"] = True
                continue
            if len(good[i]) > 1:
                v = _remove(state[i]["case"], good[i])
                v["id"] = f"{i}~{rnd}~all"
                combos.append(v)
        cg = gavel_decisions(combos, gavel)
        ckeep = [v for v in combos if cg.get(v["id"]) == state[v["id"].split("~")[0]]["target"][0]]
        cp = peer_decisions(ckeep, peer)
        for i in active:
            if state[i]["done"]:
                continue
            vid = f"{i}~{rnd}~all"
            if len(good[i]) > 1 and cp.get(vid) == state[i]["target"][1] \
                    and cg.get(vid) == state[i]["target"][0]:
                new = _remove(state[i]["case"], good[i])
                state[i]["removed"] += len(good[i])
            else:
                new = _remove(state[i]["case"], [good[i][0]])
                state[i]["removed"] += 1
            new["id"] = i
            state[i]["case"] = new
    return {i: (s["case"], s["removed"]) for i, s in state.items()}


# --------------------------------------------------------------------------------------------
# Classification of a minimized disagreement

# Services whose resources RCPs cover, within the generator's vocabulary (spec §1.3, §6.3).
RCP_SERVICES = {"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "logs", "dynamodb"}

NEGATED = ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals",
           "DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike")


def _acct_of(arn):
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[0] == "arn" else None


def _kind(principal):
    if principal == "anonymous":
        return "anonymous"
    if principal.endswith(":root"):
        return "root"
    if ":user/" in principal:
        return "user"
    if ":assumed-role/" in principal:
        return "role-session"
    if ":federated-user/" in principal:
        return "federated"
    return "service"


def _docs(case, kinds=None):
    for kind, dp in _policy_doc_paths(case):
        if kinds is None or kind in kinds:
            yield kind, _get(case, dp)


def _stmts(case, kinds=None):
    for kind, d in _docs(case, kinds):
        for s in _statements(d) or []:
            if isinstance(s, dict):
                yield kind, d, s


def _ops(s):
    cond = s.get("Condition")
    return cond if isinstance(cond, dict) else {}


def _as_list(v):
    return v if isinstance(v, list) else [v]


def _base_op(op):
    o = op
    for pre in ("ForAllValues:", "ForAnyValue:"):
        if o.lower().startswith(pre.lower()):
            o = o[len(pre):]
    if o.lower().endswith("ifexists"):
        o = o[:-len("IfExists")]
    return o


def _ctx(case):
    return {k.lower(): v for k, v in ((case.get("request") or {}).get("context") or {}).items()}


def _var_keys(text):
    out = []
    i = 0
    while True:
        j = text.find("${", i)
        if j < 0:
            return out
        k = text.find("}", j)
        if k < 0:
            return out
        body = text[j + 2:k]
        if body not in ("*", "?", "$"):
            out.append(body)
        i = k + 1


def _has_var(v):
    return any(_var_keys(x) for x in _as_list(v) if isinstance(x, str))


# What each category is, and the part of the spec (docs: /work/shared/spec/iam-evaluation.md,
# "the spec") that settles it. In every category found so far the spec sides with Gavel.
CATEGORY_INFO = {
    "root-full-access": (
        "§6.8 id_ok (root user), C-03",
        "root user in its own account without an identity policy: peer ImplicitDeny, Gavel Allow"),
    "root-cross-account": (
        "§6.8 cross-account (principal side: the root user satisfies id_ok)",
        "root user calling another account's resource that grants it: peer ImplicitDeny "
        "(wants an identity policy), Gavel Allow"),
    "federated-iam-sts": (
        "§6.2 item 3, §6.10 (overrides come first)",
        "federated-user session calling IAM or STS (not GetCallerIdentity): peer decides by "
        "the policies, Gavel ImplicitDeny even next to a matching Deny"),
    "rcp-unsupported-service": (
        "§1.3, §6.3 RCP row (service prefix must support RCPs)",
        "RCP Deny on a service without RCP support (ec2, iam): peer applies it, Gavel does not"),
    "rcp-wildcard-resource": (
        "§6.3 RCP row, A-23",
        "RCP Deny on a wildcard-only action (resource `*`): peer applies it, Gavel does not"),
    "rcp-short-resource-pattern": (
        "§3.2 R3, A-10 (trailing `*` of a head segment crosses colons)",
        "RCP Resource like `arn:aws:s3:*`: peer does not match it in RCPs (it does elsewhere), "
        "Gavel does"),
    "federated-no-session-policy": (
        "§6.8 sp_ok, A-28",
        "federated-user session without a session policy: peer no limit, Gavel ImplicitDeny "
        "unless a resource policy names the session"),
    "notresource-variable-no-value": (
        "§3.3, §5.3 item 4 (R4)",
        "NotResource entry whose variable has no value: peer excludes the request, Gavel "
        "excludes nothing"),
    "slr-org-exemption": (
        "§6.3 SCP and RCP rows (service-linked roles are exempt)",
        "service-linked-role session: peer applies SCPs/RCPs, Gavel skips them"),
    "date-epoch-seconds": (
        "§4.6 Date, A-17",
        "all-digit date (policy literal or request value such as aws:EpochTime): peer reads "
        "epoch milliseconds, Gavel epoch seconds"),
    "session-policy-vs-direct-grant": (
        "§6.8 step 2, A-27",
        "same-account resource policy naming the session (or `*`) next to a session policy "
        "that does not allow: peer ImplicitDeny, Gavel Allow"),
    "boundary-on-assume-role": (
        "§6.9, A-24",
        "role assumption granted directly by the trust policy, boundary does not allow: "
        "peer Allow, Gavel ImplicitDeny"),
    "foranyvalue-ifexists-absent": (
        "§4.5, A-14",
        "`ForAnyValue:…IfExists` with the key absent: peer false, Gavel true"),
    "notprincipal-strict": (
        "§3.5, A-12 (strict mode)",
        "Deny + NotPrincipal naming only part of the caller's chain: peer lets any match "
        "exclude the caller, Gavel (strict) denies"),
    "arn-operator-variable": (
        "§5.2, §4.6 ARN",
        "policy variable inside an `Arn*` condition value: peer never matches, Gavel "
        "resolves it"),
    "version-2008-variables": (
        "§2.2, A-2",
        "`${…}` in a `2008-10-17` or version-less policy: peer substitutes, Gavel literal text"),
    "federated-parent-path": (
        "§3.4 ParentUser; case format `parentArn`",
        "federated session whose parent is not `user/NAME` (path, or not given): peer guesses "
        "`user/NAME`, Gavel uses `parentArn`"),
    "ip-bare-address-family": (
        "§4.6 IP address",
        "bare address (no /prefix) of the other IP family than the request's: peer "
        "IpAddress/NotIpAddress both false, Gavel /32 or /128 (NotIpAddress true)"),
    "negated-variable-no-value": (
        "§5.3 item 4, A-20",
        "negated operator against a variable without value: peer false, Gavel true"),
    "bucket-owner-root-policy": (
        "§6.2 item 2",
        "bucket owner's root user and Get/Put/DeleteBucketPolicy: peer applies the bucket "
        "policy's Deny, Gavel ignores it"),
    "numeric-lenient-parse": (
        "§4.6 Numeric, A-16, A-19",
        "request value with a numeric prefix (`1,000`, `1e`): peer parses the prefix, Gavel "
        "treats it as unparsable (clause false)"),
}


def _is_date_digits(v):
    return isinstance(v, str) and v.isdigit()


def _dict_stmt_list(doc):
    """The statements of a document as a list that can be edited in place."""
    st = doc.get("Statement")
    if isinstance(st, dict):
        doc["Statement"] = [st]
    return doc["Statement"]


def _categories(case, gavel, peer):
    """Categories whose construct a minimized disagreement contains, in rule order.

    Each rule names one known difference between the peer and the spec; rules that explain
    only one direction also check the decision pair, so that a case the rule does not explain
    falls through (ultimately to "unclassified")."""
    req = case.get("request") or {}
    pr = req.get("principal", "")
    kind = _kind(pr)
    action = req.get("action", "")
    svc = action.split(":")[0].lower()
    resource = req.get("resource", "")
    pacct = _acct_of(pr)
    racct = req.get("resourceAccount") or _acct_of(resource) or pacct
    ctx = _ctx(case)
    role_arn = req.get("roleArn") or ""
    slr = kind == "role-session" and ("/AWSServiceRoleFor" in pr or "/aws-service-role/" in role_arn)
    stmts = list(_stmts(case))
    deny_more = {("Allow", "ImplicitDeny"), ("Allow", "ExplicitDeny"),
                 ("ImplicitDeny", "ExplicitDeny")}      # the peer is the stricter one
    pair = (gavel, peer)

    # Version 2008 / missing: variables are literal text.
    for kind_, d, s in stmts:
        if d.get("Version") != "2012-10-17":
            vals = []
            for el in ("Resource", "NotResource"):
                if el in s:
                    vals += _as_list(s[el])
            for op, block in _ops(s).items():
                if isinstance(block, dict):
                    for vs in block.values():
                        vals += [x for x in _as_list(vs) if isinstance(x, str)]
            if any("${" in str(x) for x in vals):
                yield "version-2008-variables"
    if slr and (case.get("scps") or case.get("rcps")) and pair in deny_more:
        yield "slr-org-exemption"
    if kind == "federated" and svc in ("iam", "sts") and action.lower() != "sts:getcalleridentity" \
            and gavel == "ImplicitDeny":
        yield "federated-iam-sts"
    if kind == "root" and action.lower() in ("s3:getbucketpolicy", "s3:putbucketpolicy",
                                              "s3:deletebucketpolicy") and pacct == racct \
            and gavel != "ExplicitDeny" and peer == "ExplicitDeny" \
            and any(k == "resource" and s.get("Effect") == "Deny" for k, _, s in stmts):
        yield "bucket-owner-root-policy"
    if kind == "root" and pair == ("Allow", "ImplicitDeny"):
        yield "root-full-access" if pacct == racct else "root-cross-account"
    # RCPs.
    if case.get("rcps") and any(k == "rcp" for k, _, _ in stmts) and gavel != "ExplicitDeny" \
            and peer == "ExplicitDeny":
        if resource == "*":
            yield "rcp-wildcard-resource"
        if svc not in RCP_SERVICES:
            yield "rcp-unsupported-service"
    # RCP resource patterns with fewer than six segments ending in `*` (arn:aws:s3:*).
    if case.get("rcps") and gavel == "ExplicitDeny" and peer != "ExplicitDeny":
        for k, _, s in stmts:
            if k == "rcp" and s.get("Effect") == "Deny":
                for r in _as_list(s.get("Resource", [])) + _as_list(s.get("NotResource", [])):
                    if isinstance(r, str) and r != "*" and r.count(":") < 5 and r.endswith("*"):
                        yield "rcp-short-resource-pattern"
    if kind == "federated" and "sessionPolicy" not in case and pair == ("ImplicitDeny", "Allow"):
        yield "federated-no-session-policy"
    if kind == "federated":
        # The peer takes the parent to be user/NAME of the session's account; Gavel takes
        # `parentArn` (a user with a path, the root user, or no known parent when absent).
        parent = req.get("parentArn")
        name = pr.rsplit("/", 1)[-1]
        guess = f"arn:aws:iam::{pacct}:user/{name}"
        if parent is not None and parent != guess:
            yield "federated-parent-path"
        elif parent is None and guess in json.dumps(case):
            yield "federated-parent-path"
    # NotPrincipal strict vs lenient: strict covers fewer callers, so denies more.
    if any("NotPrincipal" in s for _, _, s in stmts) and gavel == "ExplicitDeny" \
            and peer != "ExplicitDeny":
        yield "notprincipal-strict"
    # Conditions.
    for kind_, d, s in stmts:
        for op, block in _ops(s).items():
            if not isinstance(block, dict):
                continue
            base = _base_op(op)
            lo = op.lower()
            for key, vals in block.items():
                present = key.lower() in ctx
                if lo.startswith("foranyvalue:") and lo.endswith("ifexists") and not present:
                    yield "foranyvalue-ifexists-absent"
                if base in NEGATED and _no_value_vars(vals, ctx):
                    yield "negated-variable-no-value"
                if base.lower().startswith("arn") and _has_var(vals):
                    yield "arn-operator-variable"
    for kind_, d, s in stmts:
        if "NotResource" in s and _no_value_vars(s["NotResource"], ctx):
            yield "notresource-variable-no-value"
    for kind_, d, s in stmts:
        for op, block in _ops(s).items():
            if not isinstance(block, dict):
                continue
            base = _base_op(op).lower()
            for key, vals in block.items():
                v = ctx.get(key.lower())
                if base.startswith("date") and (
                        _is_date_digits(v) or any(_is_date_digits(x) for x in _as_list(vals))):
                    yield "date-epoch-seconds"
                if base in ("ipaddress", "notipaddress") and isinstance(v, str):
                    # A bare address (no /prefix) of the other family than the request's.
                    if any(isinstance(x, str) and "/" not in x and (":" in x) != (":" in v)
                           for x in _as_list(vals)):
                        yield "ip-bare-address-family"
                if base.startswith("numeric") and isinstance(v, str):
                    try:
                        float(v)
                    except ValueError:
                        yield "numeric-lenient-parse"
    # Sessions: a same-account grant naming the session itself, or "*".
    if kind in ("role-session", "federated") and "sessionPolicy" in case and pacct == racct \
            and pair == ("Allow", "ImplicitDeny"):
        for k, _, s in stmts:
            if k == "resource" and s.get("Effect") == "Allow":
                pe = s.get("Principal")
                names = [pe] if pe == "*" else _as_list(pe.get("AWS", [])) \
                    if isinstance(pe, dict) else []
                if "*" in names or pr in names:
                    yield "session-policy-vs-direct-grant"
    if action.lower().startswith("sts:") and case.get("permissionBoundaries") and \
            pair == ("ImplicitDeny", "Allow"):
        yield "boundary-on-assume-role"
    # A second cause next to another one: the peer also wants an identity policy for root.
    if kind == "root" and gavel == "Allow" and not case.get("identityPolicies"):
        yield "root-full-access" if pacct == racct else "root-cross-account"


def categories(case, gavel, peer):
    out = []
    for c in _categories(case, gavel, peer):
        if c not in out:
            out.append(c)
    return out


def classify(case, gavel, peer):
    """Category of a minimized disagreement: the first matching rule, else "unclassified"."""
    cats = categories(case, gavel, peer)
    return cats[0] if cats else "unclassified"


def _no_value_vars(vals, ctx):
    """True if some variable in `vals` has no value in `ctx` (absent or a list, no default)."""
    for x in _as_list(vals):
        if not isinstance(x, str):
            continue
        for body in _var_keys(x):
            if "," in body:            # has a default
                continue
            v = ctx.get(body.strip().lower())
            if v is None or isinstance(v, list):
                return True
    return False


# --------------------------------------------------------------------------------------------
# Confirmation: neutralize the category's construct in a way that, per the spec, cannot change
# Gavel's decision; if the peer then agrees with Gavel, the construct was the whole cause.


def _iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def _subst_vars(text, ctx):
    out = text
    for body in _var_keys(text):
        key = body.split(",")[0].strip().lower()
        v = ctx.get(key)
        if isinstance(v, str):
            out = out.replace("${" + body + "}", v)
    return out


def neutralize(cat, case):
    """A variant of `case` without the category's construct, or None if there is no such
    transformation for the category (then the classification rests on the rule alone)."""
    c = copy.deepcopy(case)
    req = c["request"]
    ctx = _ctx(c)
    if cat in ("root-full-access", "root-cross-account"):
        # Identity policies are ignored for the root user (case format), so adding one changes
        # nothing for Gavel; the peer wants one.
        c["identityPolicies"] = [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
        return c
    if cat in ("rcp-wildcard-resource", "rcp-unsupported-service"):
        c.pop("rcps", None)                      # RCPs do not apply to this request (§6.3)
        return c
    if cat == "slr-org-exemption":
        c.pop("scps", None)
        c.pop("rcps", None)
        return c
    if cat == "rcp-short-resource-pattern":
        for l in c.get("rcps") or []:
            for pol in l:
                doc = pol.get("document", pol)
                for s in _dict_stmt_list(doc):
                    for el in ("Resource", "NotResource"):
                        if el in s:
                            vals = [r if (r == "*" or r.count(":") >= 5 or not r.endswith("*"))
                                    else r + ":*:*:*" if r.count(":") == 2
                                    else r + ":*:*" if r.count(":") == 3 else r + ":*"
                                    for r in _as_list(s[el])]
                            s[el] = vals
        return c
    if cat == "bucket-owner-root-policy":
        rp = c.get("resourcePolicy")
        doc = rp.get("document", rp)
        kept = [s for s in _dict_stmt_list(doc) if s.get("Effect") != "Deny"]
        if kept:
            doc["Statement"] = kept
        else:
            c.pop("resourcePolicy")
        return c
    if cat == "notprincipal-strict":
        # Gavel's strict reading applies the statement to this caller: same as Principal "*".
        for _, _, s in _stmts(c):
            if "NotPrincipal" in s:
                del s["NotPrincipal"]
                s["Principal"] = "*"
        return c
    if cat == "session-policy-vs-direct-grant":
        # A session policy that allows everything: Gavel's Allow stands whichever grant it
        # came from; the peer's session-policy block is gone.
        c["sessionPolicy"] = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        return c
    if cat == "date-epoch-seconds":
        date_keys, other_keys = set(), set()
        for _, _, s in _stmts(c):
            for op, block in _ops(s).items():
                if isinstance(block, dict):
                    dest = date_keys if _base_op(op).lower().startswith("date") else other_keys
                    dest.update(k.lower() for k in block)
                    for vals in block.values():
                        for x in _as_list(vals):
                            if isinstance(x, str):
                                other_keys.update(b.split(",")[0].strip().lower()
                                                  for b in _var_keys(x))
        for k, v in list(req.get("context", {}).items()):
            if _is_date_digits(v) and k.lower() in date_keys:
                if k.lower() in other_keys:
                    return None                  # also compared as a number or a string
                req["context"][k] = _iso(v)
        for _, _, s in _stmts(c):
            for op, block in _ops(s).items():
                if _base_op(op).lower().startswith("date") and isinstance(block, dict):
                    for key, vals in block.items():
                        block[key] = [_iso(x) if _is_date_digits(x) else x for x in _as_list(vals)]
        return c
    if cat == "arn-operator-variable":
        for _, _, s in _stmts(c):
            for op, block in _ops(s).items():
                if _base_op(op).lower().startswith("arn") and isinstance(block, dict):
                    for key, vals in block.items():
                        block[key] = [_subst_vars(x, ctx) if isinstance(x, str) else x
                                      for x in _as_list(vals)]
        return c
    if cat == "negated-variable-no-value":
        # A value with no value never compares equal/like: a literal nobody sends does the same.
        for _, _, s in _stmts(c):
            for op, block in _ops(s).items():
                if _base_op(op) in NEGATED and isinstance(block, dict):
                    for key, vals in block.items():
                        block[key] = ["no-such-value-0x7f" if isinstance(x, str)
                                      and _no_value_vars(x, ctx) else x for x in _as_list(vals)]
        return c
    if cat == "notresource-variable-no-value":
        # An entry whose variable has no value excludes nothing (§3.3): drop it, or make it a
        # resource nobody requests.
        for _, _, s in _stmts(c):
            if "NotResource" in s:
                s["NotResource"] = [x if not _no_value_vars(x, ctx)
                                    else "arn:aws:s3:::no-such-bucket-0x7f"
                                    for x in _as_list(s["NotResource"])]
        return c
    if cat == "foranyvalue-ifexists-absent":
        # With the key absent the clause is true: drop it.
        for _, _, s in _stmts(c):
            cond = s.get("Condition")
            if not isinstance(cond, dict):
                continue
            for op in list(cond):
                lo = op.lower()
                if lo.startswith("foranyvalue:") and lo.endswith("ifexists"):
                    block = cond[op]
                    for key in list(block):
                        if key.lower() not in ctx:
                            del block[key]
                    if not block:
                        del cond[op]
            if not cond:
                del s["Condition"]
        return c
    if cat == "version-2008-variables":
        for _, d, s in [x for x in _stmts(c) if x[1].get("Version") != "2012-10-17"]:
            if True:
                d["Version"] = "2012-10-17"
                for el in ("Resource", "NotResource"):
                    if el in s:
                        s[el] = [x.replace("${", "$-{") for x in _as_list(s[el])]
                for op, block in _ops(s).items():
                    for key, vals in block.items():
                        block[key] = [x.replace("${", "$-{") if isinstance(x, str) else x
                                      for x in _as_list(vals)]
        return c
    if cat == "federated-no-session-policy":
        # A session policy that allows nothing: Gavel still denies (sp_ok is false either way).
        c["sessionPolicy"] = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::no-such-bucket-0x7f"}]}
        return c
    if cat == "federated-parent-path":
        parent = req.get("parentArn")
        name = req["principal"].rsplit("/", 1)[-1]
        guess = f"arn:aws:iam::{_acct_of(req['principal'])}:user/{name}"
        if parent is None:
            # No known parent: for Gavel the user the peer guesses is just another user.
            text = json.dumps(c).replace(json.dumps(guess), json.dumps(guess + "-other"))
            return json.loads(text)
        # Rename the parent consistently to the pathless user the peer assumes.
        text = json.dumps(c).replace(json.dumps(parent)[1:-1], guess)
        return json.loads(text)
    if cat == "numeric-lenient-parse":
        num_keys = {k.lower() for _, _, s in _stmts(c) for op, block in _ops(s).items()
                    if _base_op(op).lower().startswith("numeric") for k in block}
        for k, v in list(req.get("context", {}).items()):
            if isinstance(v, str) and k.lower() in num_keys:
                try:
                    float(v)
                except ValueError:
                    if any(ch.isdigit() for ch in v):
                        req["context"][k] = "not-a-number"
        return c
    if cat == "ip-bare-address-family":
        # A bare address means /32 (IPv4) or /128 (IPv6): write the prefix out.
        for _, _, s in _stmts(c):
            for op, block in _ops(s).items():
                if _base_op(op).lower() in ("ipaddress", "notipaddress"):
                    for key, vals in block.items():
                        block[key] = [x if not isinstance(x, str) or "/" in x
                                      else x + ("/128" if ":" in x else "/32")
                                      for x in _as_list(vals)]
        return c
    return None


# Categories that no transformation can isolate: Gavel's own explanation of the minimal case
# must name the rule instead.
BASIS = {
    "federated-iam-sts": "federated-user sessions cannot call IAM or STS operations",
    "boundary-on-assume-role": "the permissions boundary does not allow this action",
}


def confirm(rows, gavel=DEFAULT_GAVEL, peer=DEFAULT_PEER):
    """Adds "confirmed" (true/false/None) and "also" (further categories) to each row.

    Every category the minimal case contains is neutralized in turn; the case is confirmed if
    Gavel's decision does not change and the peer then agrees. Categories listed in BASIS are
    checked through Gavel's stated basis instead. None: some category has neither check."""
    mins = []
    for r in rows:
        m = copy.deepcopy(r["minimal"])
        m["id"] = r["id"] + "~min"
        mins.append(m)
    basis = {i: a.get("basis") or "" for i, a in gavel_answers(mins, gavel).items()} \
        if mins else {}
    variants = []
    plan = {}
    for r in rows:
        cats = categories(r["minimal"], r["gavel"], r["peer"])
        r["also"] = cats[1:]
        v = r["minimal"]
        state = "ok" if cats else "none"
        by_basis = False
        for cat in cats:
            if cat in BASIS:
                by_basis = True
                if BASIS[cat] not in basis.get(r["id"] + "~min", ""):
                    state = "bad"
                continue
            nv = neutralize(cat, v)
            if nv is None:
                state = "none"
                break
            v = nv
        plan[r["id"]] = (state, by_basis)
        if state == "ok" and v is not r["minimal"]:
            v = copy.deepcopy(v)
            v["id"] = r["id"] + "~neutral"
            variants.append(v)
    g = gavel_decisions(variants, gavel)
    p = peer_decisions(variants, peer)
    for r in rows:
        state, by_basis = plan[r["id"]]
        vid = r["id"] + "~neutral"
        if state == "none":
            r["confirmed"] = None
        elif state == "bad":
            r["confirmed"] = False
        elif vid not in g:
            r["confirmed"] = by_basis
        elif by_basis:
            r["confirmed"] = g[vid] == r["gavel"]
        else:
            r["confirmed"] = g[vid] == r["gavel"] and p.get(vid) == r["gavel"]


def residual(rows, cases, gavel=DEFAULT_GAVEL, peer=DEFAULT_PEER, rounds=4):
    """Explains each disagreement on the ORIGINAL case: neutralize every known category it
    contains (plus its minimal form's), re-run both engines, and repeat on what is left, until
    the engines agree. Sets row["explained"] to True, or to a reason string when the original
    case keeps a disagreement no known category explains (or a neutralizer moved Gavel)."""
    state = {}
    for r in rows:
        r["explained"] = "not checked"
        if r["id"] in cases:
            state[r["id"]] = {"case": cases[r["id"]], "pair": (r["gavel"], r["peer"]),
                              "extra": [r["category"]], "row": r}
    for rnd in range(rounds):
        if not state:
            break
        need_basis = []
        for i, st in state.items():
            v = copy.deepcopy(st["case"])
            v["id"] = f"{i}~b{rnd}"
            need_basis.append(v)
        basis = {k: a.get("basis") or "" for k, a in gavel_answers(need_basis, gavel).items()}
        variants = []
        for i, st in list(state.items()):
            cats = categories(st["case"], *st["pair"])
            cats += [c for c in st.pop("extra", []) if c not in cats and c in CATEGORY_INFO]
            if not cats:
                st["row"]["explained"] = f"unexplained {st['pair'][0]}/{st['pair'][1]}"
                del state[i]
                continue
            if any(c in BASIS and BASIS[c] in basis.get(f"{i}~b{rnd}", "") for c in cats):
                st["row"]["explained"] = True           # Gavel's own rule decides the case
                del state[i]
                continue
            v = st["case"]
            for cat in cats:
                if cat in BASIS:
                    continue
                nv = neutralize(cat, v)
                if nv is None:
                    v = None
                    break
                v = nv
            if v is None or v == st["case"]:
                st["row"]["explained"] = "no neutralizer for " + ",".join(cats)
                del state[i]
                continue
            v = copy.deepcopy(v)
            v["id"] = f"{i}~r{rnd}"
            st["case"] = v
            variants.append(v)
        g = gavel_decisions(variants, gavel)
        p = peer_decisions(variants, peer)
        for i, st in list(state.items()):
            vid = f"{i}~r{rnd}"
            gv, pv = g.get(vid), p.get(vid)
            if gv != st["row"]["gavel"]:
                st["row"]["explained"] = f"Gavel changed to {gv} (neutralizer not neutral)"
                del state[i]
            elif gv == pv:
                st["row"]["explained"] = True
                del state[i]
            else:
                st["pair"] = (gv, pv)
    for st in state.values():
        st["row"]["explained"] = "still differs after %d rounds" % rounds


# --------------------------------------------------------------------------------------------
# Subcommands


def load_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            cases.append(json.loads(line))
    return cases


def load_answers(path, field):
    out = {}
    with open(path, encoding="utf-8") as f:
        for i, a in _read_answers(f.read()).items():
            out[i] = a.get(field)
    return out


def cmd_run(args):
    cases = load_cases(args.cases)
    log = (lambda m: print(m, file=sys.stderr)) if not args.quiet else None
    t0 = time.time()
    g = load_answers(args.ours, "decision") if args.ours else gavel_decisions(cases, args.gavel)
    t1 = time.time()
    p = load_answers(args.peer, "peer") if args.peer else peer_decisions(cases, args.peer_cmd)
    t2 = time.time()
    if log:
        log(f"{len(cases)} cases; gavel {t1 - t0:.1f}s, peer {t2 - t1:.1f}s")
    ok = [c for c in cases if g.get(c["id"]) is not None]
    errors_g = [c["id"] for c in cases if g.get(c["id"]) is None]
    errors_p = [c["id"] for c in ok if p.get(c["id"]) is None]
    dis = [c for c in ok if p.get(c["id"]) is not None and p[c["id"]] != g[c["id"]]]
    dec = Counter(g[c["id"]] for c in ok)
    print(f"cases: {len(cases)}; Gavel errors: {len(errors_g)}; peer errors: {len(errors_p)}; "
          f"agree: {len(ok) - len(dis) - len(errors_p)}; disagree: {len(dis)}")
    print("Gavel decisions: " + ", ".join(f"{d} {dec[d]}" for d in DECISIONS))
    pairs = Counter((g[c["id"]], p[c["id"]]) for c in dis)
    for (a, b), n in pairs.most_common():
        print(f"  Gavel {a:<12} peer {b:<12} {n}")
    if args.minimize and dis:
        mins = minimize(dis, g, p, args.gavel, args.peer_cmd, log)
    else:
        mins = {c["id"]: (c, 0) for c in dis}
    rows = []
    for c in dis:
        i = c["id"]
        m, removed = mins[i]
        rows.append({"id": i, "gavel": g[i], "peer": p[i], "category": classify(m, g[i], p[i]),
                     "features": c.get("features", []), "minimal": m})
    if args.minimize:
        confirm(rows, args.gavel, args.peer_cmd)
        residual(rows, {c["id"]: c for c in dis}, args.gavel, args.peer_cmd)
    print_table(rows)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")
    if args.answers:
        with open(args.answers, "w", encoding="utf-8") as f:
            for c in cases:
                i = c["id"]
                f.write(json.dumps({"id": i, "gavel": g.get(i), "peer": p.get(i)}) + "\n")
    return 0


def print_table(rows):
    cats = Counter()
    bypair = defaultdict(Counter)
    conf = defaultdict(Counter)
    expl = defaultdict(Counter)
    for r in rows:
        cats[r["category"]] += 1
        bypair[r["category"]][(r["gavel"], r["peer"])] += 1
        conf[r["category"]][r.get("confirmed")] += 1
        expl[r["category"]][r.get("explained") is True] += 1
    print("\nconfirmed: the minimal case's construct, neutralized, removes the disagreement;")
    print("explained: the same holds for the original case (all constructs it contains)\n")
    print("category                          count  confirmed  explained  (Gavel/peer pairs)")
    for cat, n in cats.most_common():
        pr = ", ".join(f"{a}/{b} {k}" for (a, b), k in bypair[cat].most_common())
        cf = conf[cat]
        cs = "-" if cf[None] == n else f"{cf[True]}/{cf[True] + cf[False]}"
        es = "-" if not any("explained" in r for r in rows) else f"{expl[cat][True]}/{n}"
        print(f"  {cat:<32} {n:>5}  {cs:>9}  {es:>9}  ({pr})")
    for r in rows:
        if r.get("confirmed") is False or r.get("explained") not in (True, None) \
                or r["category"] == "unclassified":
            print(f"  needs a look: {r['id']} {r['category']} Gavel {r['gavel']} peer "
                  f"{r['peer']} confirmed={r.get('confirmed')} explained={r.get('explained')}")


def cmd_classify(args):
    rows = []
    for path in args.reports:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    r["category"] = classify(r["minimal"], r["gavel"], r["peer"])
                    rows.append(r)
    if not args.no_confirm:
        confirm(rows, args.gavel, args.peer_cmd)
        if args.cases:
            cases = {}
            for path in args.cases:
                for c in load_cases(path):
                    cases[c["id"]] = c
            residual(rows, cases, args.gavel, args.peer_cmd)
    print(f"{len(rows)} disagreements")
    print_table(rows)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")
    return 0


def _feature_tags():
    """Every feature tag of the case generator (compiler/src/casegen.rs), or [] if unreadable."""
    import re
    path = os.path.join(REPO, "compiler", "src", "casegen.rs")
    try:
        src = open(path, encoding="utf-8").read()
    except OSError:
        return []

    def array(name):
        m = re.search(r"const " + name + r": &\[&str\] = &\[(.*?)\];", src, re.S)
        return re.findall(r'"([^"]+)"', m.group(1)) if m else []

    return array("FEATURES") + ["op:" + o for o in array("OPERATORS")]


def _gen_key(case_id):
    parts = case_id.split("-")
    try:
        return (int(parts[1]), int(parts[2]), case_id)
    except (IndexError, ValueError):
        return (1 << 60, 0, case_id)


def cmd_corpus(args):
    import random
    rng = random.Random(args.seed)
    cases = {}
    answers = {}
    rows = []
    for prefix in args.runs:
        for c in load_cases(prefix + ".jsonl"):
            cases[c["id"]] = c
        with open(prefix + "-answers.jsonl", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    a = json.loads(line)
                    answers[a["id"]] = (a["gavel"], a["peer"])
        with open(prefix + "-report.jsonl", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    r["category"] = classify(r["minimal"], r["gavel"], r["peer"])
                    rows.append(r)
    confirm(rows, args.gavel, args.peer_cmd)
    residual(rows, cases, args.gavel, args.peer_cmd)
    cat_of = {}
    left_out = Counter()
    for r in rows:
        if r["confirmed"] and r["explained"] is True and r["category"] in CATEGORY_INFO:
            cat_of[r["id"]] = r["category"]
        else:
            left_out[r["category"]] += 1
    usable = [i for i, (g, p) in answers.items()
              if g is not None and p is not None and (g == p or i in cat_of) and i in cases]
    agree = [i for i in usable if answers[i][0] == answers[i][1]]
    agree.sort(key=_gen_key)
    rng.shuffle(agree)

    chosen = set()
    # 1. Disagreements: up to --per-category per category, round-robin over decision pairs.
    bycat = defaultdict(lambda: defaultdict(list))
    for i in sorted(cat_of, key=_gen_key):
        bycat[cat_of[i]][answers[i]].append(i)
    for cat, pairs in bycat.items():
        for lst in pairs.values():
            rng.shuffle(lst)
        taken = 0
        while taken < args.per_category and any(pairs.values()):
            for k in sorted(pairs):
                if pairs[k] and taken < args.per_category:
                    chosen.add(pairs[k].pop())
                    taken += 1

    def dec_counts():
        return Counter(answers[i][0] for i in chosen)

    # 2. Every feature tag at least --min-feature times (rarest first), from agreeing cases,
    #    taking the decision that is rarest in the selection so far.
    tags = set(_feature_tags())
    for i in usable:
        tags.update(cases[i].get("features", []))
    have = Counter(t for i in chosen for t in cases[i].get("features", []))
    avail = Counter(t for i in agree for t in cases[i].get("features", []))
    by_tag = defaultdict(lambda: defaultdict(list))
    for i in agree:
        for t in cases[i].get("features", []):
            by_tag[t][answers[i][0]].append(i)
    for t in sorted(tags, key=lambda t: (avail[t], t)):
        while have[t] < args.min_feature:
            dc = dec_counts()
            opts = [d for d in DECISIONS if by_tag[t][d]]
            if not opts:
                break
            d = min(opts, key=lambda d: dc[d])
            i = by_tag[t][d].pop()
            if i in chosen:
                continue
            chosen.add(i)
            for f in cases[i].get("features", []):
                have[f] += 1
    # 3. Fill to --total, each decision towards a third.
    pool = defaultdict(list)
    for i in agree:
        if i not in chosen:
            pool[answers[i][0]].append(i)
    while len(chosen) < args.total:
        dc = dec_counts()
        opts = [d for d in DECISIONS if pool[d]]
        if not opts:
            break
        d = min(opts, key=lambda d: dc[d])
        chosen.add(pool[d].pop())

    # Write the files.
    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):
        stem = old[len("peer-"):-len(".jsonl")] if old.startswith("peer-") else ""
        if old.endswith(".jsonl") and (stem.isdigit() or stem == "minimal"):
            os.remove(os.path.join(args.out, old))       # peer-probes.jsonl is hand-written
    lines = []
    for i in sorted(chosen, key=_gen_key):
        c = dict(cases[i])
        g, p = answers[i]
        c["expect"] = g
        if p != g:
            cat = cat_of[i]
            c["peer"] = p
            c["description"] = f"peer differs [{cat}]: {CATEGORY_INFO[cat][1]} (spec " \
                               f"{CATEGORY_INFO[cat][0]})"
        lines.append(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n")
    files = []
    cur, size = [], 0
    for line in lines:
        n = len(line.encode("utf-8"))
        if cur and size + n > args.max_bytes:
            files.append(cur)
            cur, size = [], 0
        cur.append(line)
        size += n
    if cur:
        files.append(cur)
    for k, part in enumerate(files, 1):
        with open(os.path.join(args.out, f"peer-{k}.jsonl"), "w", encoding="utf-8") as f:
            f.writelines(part)
    # Minimal forms: a few per category, one per decision pair first.
    mins = []
    per = defaultdict(int)
    cand = defaultdict(list)
    for r in sorted(rows, key=lambda r: _gen_key(r["id"])):
        if r["id"] in cat_of:
            cand[r["category"]].append(r)
    for cat, rs in cand.items():
        seen, picked = set(), []
        for r in rs:
            if (r["gavel"], r["peer"]) not in seen:
                seen.add((r["gavel"], r["peer"]))
                picked.append(r)
        picked += [r for r in rs if r not in picked]
        for r in picked[:args.minimal_per_category]:
            m = {"id": r["id"] + "-min"}
            m.update({k: v for k, v in r["minimal"].items() if k not in ("id", "features")})
            m["expect"] = r["gavel"]
            m["peer"] = r["peer"]
            m["description"] = f"minimized from {r['id']}; peer differs [{cat}]: " \
                               f"{CATEGORY_INFO[cat][1]} (spec {CATEGORY_INFO[cat][0]})"
            m["_cat"] = cat
            mins.append(m)
            per[cat] += 1
    mins.sort(key=lambda m: (list(CATEGORY_INFO).index(m["_cat"]), _gen_key(m["id"])))
    with open(os.path.join(args.out, "peer-minimal.jsonl"), "w", encoding="utf-8") as f:
        for m in mins:
            del m["_cat"]
            f.write(json.dumps(m, ensure_ascii=False, separators=(",", ":")) + "\n")

    # Summary.
    dc = dec_counts()
    n = len(chosen)
    print(f"{n} generated cases in {len(files)} files, {len(mins)} minimal cases")
    for d in DECISIONS:
        print(f"  {d:<13} {dc[d]:>5}  {100.0 * dc[d] / max(n, 1):.1f}%")
    sel_cat = Counter(cat_of[i] for i in chosen if i in cat_of)
    print(f"disagreements: {sum(sel_cat.values())} committed of {len(cat_of)} confirmed")
    for cat in CATEGORY_INFO:
        print(f"  {cat:<32} {sel_cat[cat]:>5} of {sum(1 for v in cat_of.values() if v == cat):>5}"
              f"   minimal {per[cat]}")
    if left_out:
        print("left out (unconfirmed or unclassified): " + ", ".join(
            f"{k} {v}" for k, v in left_out.items()))
    have = Counter(t for i in chosen for t in cases[i].get("features", []))
    missing = [t for t in sorted(tags) if have[t] == 0]
    print("features: " + ", ".join(f"{t} {have[t]}" for t in sorted(tags)))
    if missing:
        print("MISSING features: " + ", ".join(missing))
    return 0


def cmd_check(args):
    bad = 0
    total = 0
    for path in args.files:
        cases = load_cases(path)
        g = gavel_decisions(cases, args.gavel)
        p = peer_decisions(cases, args.peer_cmd)
        gb = pb = 0
        for c in cases:
            i = c["id"]
            total += 1
            if g.get(i) != c.get("expect"):
                gb += 1
                print(f"{path}: {i}: Gavel {g.get(i)}, expect {c.get('expect')}")
            want = c.get("peer", c.get("expect"))
            if p.get(i) != want:
                pb += 1
                print(f"{path}: {i}: peer {p.get(i)}, recorded {want}")
        print(f"{path}: {len(cases)} cases, Gavel mismatches {gb}, peer mismatches {pb}",
              file=sys.stderr)
        bad += gb + pb
    print(f"{total} cases checked, {bad} mismatches", file=sys.stderr)
    return 1 if bad else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--gavel", default=DEFAULT_GAVEL, help="gavel binary")
    common.add_argument("--peer-cmd", default=DEFAULT_PEER, help="peer runner (run.sh)")

    r = sub.add_parser("run", parents=[common], help="compare and classify")
    r.add_argument("cases")
    r.add_argument("--ours", help="Gavel answers (gavel eval output) instead of running Gavel")
    r.add_argument("--peer", help="peer answers (run.sh output) instead of running the peer")
    r.add_argument("--minimize", action="store_true", help="minimize every disagreement")
    r.add_argument("--report", help="write one JSON line per disagreement here")
    r.add_argument("--answers", help="write {id, gavel, peer} for every case here")
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=cmd_run)

    c = sub.add_parser("classify", parents=[common],
                       help="re-classify (and confirm) the minimal cases of run reports")
    c.add_argument("--no-confirm", action="store_true", help="skip the neutralizer runs")
    c.add_argument("--cases", nargs="+", help="the original case files: also explain them")
    c.add_argument("reports", nargs="+")
    c.add_argument("--out", help="write the re-classified report here")
    c.set_defaults(func=cmd_classify)

    o = sub.add_parser("corpus", parents=[common], help="write the committed peer files")
    o.add_argument("--runs", nargs="+", required=True,
                   help="run prefixes: PREFIX.jsonl, PREFIX-answers.jsonl, PREFIX-report.jsonl "
                        "(from `run --minimize --report PREFIX-report.jsonl --answers ...`)")
    o.add_argument("--out", default=os.path.join(REPO, "corpus", "conformance"))
    o.add_argument("--total", type=int, default=6000, help="generated cases to commit")
    o.add_argument("--per-category", type=int, default=150,
                   help="disagreement cases per category, at most")
    o.add_argument("--min-feature", type=int, default=40,
                   help="cases per generator feature tag, at least")
    o.add_argument("--minimal-per-category", type=int, default=4)
    o.add_argument("--max-bytes", type=int, default=1_900_000, help="per file")
    o.add_argument("--seed", type=int, default=1, help="seed of the selection")
    o.set_defaults(func=cmd_corpus)

    k = sub.add_parser("check", parents=[common], help="re-check committed peer files")
    k.add_argument("files", nargs="+")
    k.set_defaults(func=cmd_check)

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
