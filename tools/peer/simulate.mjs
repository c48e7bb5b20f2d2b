#!/usr/bin/env node
// Feed Gavel conformance cases (JSON Lines, see notes/case-format.md) to the independent
// simulator @cloud-copilot/iam-simulate and print one answer line per case:
//
//   {"id": "...", "peer": "Allow" | "ImplicitDeny" | "ExplicitDeny"}
//   {"id": "...", "peer": null, "error": "..."}
//
// The simulator is AGPL-licensed. It is installed only under tools/peer/node_modules (never
// vendored) and is only ever called from this separate process; no Gavel crate depends on it.
//
// Usage:  node simulate.mjs [--engine core|public] [CASES.jsonl]      (stdin when no file)
//
// Engines (see README.md):
//   core   (default) the simulator's own policy validators, then its core `authorize` function
//          with the request context passed exactly as the case gives it (nothing filtered,
//          nothing coerced, RCPFullAWSAccess added at every RCP level, session policy included).
//   public the simulator's public `runSimulation` entry point; it validates the action/resource
//          pair against its service data and drops or coerces context keys it thinks do not apply.

import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'

const SIM_PKG = '@cloud-copilot/iam-simulate'

// ---------------------------------------------------------------------------------------------
// Arguments

let engine = 'core'
let file
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '--engine') {
    engine = args[++i]
  } else if (a.startsWith('--engine=')) {
    engine = a.slice('--engine='.length)
  } else if (a === '-h' || a === '--help') {
    process.stdout.write('usage: simulate.mjs [--engine core|public] [CASES.jsonl]\n')
    process.exit(0)
  } else if (a === '-') {
    file = undefined
  } else if (a.startsWith('-')) {
    process.stderr.write(`unknown option ${a}\n`)
    process.exit(2)
  } else {
    file = a
  }
}
if (engine !== 'core' && engine !== 'public') {
  process.stderr.write(`unknown engine ${engine} (core|public)\n`)
  process.exit(2)
}

// ---------------------------------------------------------------------------------------------
// Loading the simulator

let sim
let iamPolicy
let core
try {
  sim = await import(SIM_PKG)
  iamPolicy = await import('@cloud-copilot/iam-policy')
  if (engine === 'core') {
    // The core engine and the request classes are not re-exported by the package entry point,
    // so they are loaded by file from the installed (pinned) package.
    const entry = import.meta.resolve(SIM_PKG)
    core = {
      engine: await import(new URL('./core_engine/CoreSimulatorEngine.js', entry)),
      request: await import(new URL('./request/request.js', entry)),
      context: await import(new URL('./requestContext.js', entry)),
      discovery: await import(new URL('./context_keys/discoveryContextKeyConstraints.js', entry))
    }
  }
} catch (e) {
  process.stderr.write(
    `cannot load ${SIM_PKG}: ${e.message}\nrun \`npm ci --prefix tools/peer\` first\n`
  )
  process.exit(3)
}

// The AWS managed RCP that is attached to every level of an organization and cannot be detached.
// Our case format says it is implicitly present at every RCP level.
const RCP_FULL_AWS_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]
}
const RCP_FULL_AWS_ACCESS_NAME =
  'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess'

// ---------------------------------------------------------------------------------------------
// Mapping one case

class CaseError extends Error {}

/** `<policy>` is a document or `{"name": ..., "document": {...}}`. */
function unwrapPolicy(p, fallbackName) {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) {
    throw new CaseError(`${fallbackName}: policy is not a JSON object`)
  }
  if ('document' in p && !('Statement' in p)) {
    const doc = p.document
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      throw new CaseError(`${fallbackName}: "document" is not a JSON object`)
    }
    return { name: typeof p.name === 'string' && p.name ? p.name : fallbackName, policy: doc }
  }
  return { name: fallbackName, policy: p }
}

/** Names must be unique because the simulator keys its validation errors by name. */
function uniqueNames(list) {
  const seen = new Map()
  for (const item of list) {
    const n = seen.get(item.name) ?? 0
    seen.set(item.name, n + 1)
    if (n > 0) item.name = `${item.name}#${n}`
  }
  return list
}

function asList(v) {
  return Array.isArray(v) ? v : [v]
}

/**
 * The simulator takes one session policy. Session policies act as one set (OR across their
 * statements), so several are merged into one document; the first one's Version is kept.
 */
function mergeSessionPolicies(value) {
  const list = asList(value).map((p, i) => unwrapPolicy(p, `session-${i}`).policy)
  if (list.length === 0) return undefined
  if (list.length === 1) return list[0]
  const statements = []
  for (const p of list) {
    if (p.Statement === undefined) throw new CaseError('session policy without Statement')
    statements.push(...asList(p.Statement))
  }
  const merged = { Statement: statements }
  if (list[0].Version !== undefined) merged.Version = list[0].Version
  return merged
}

function orgLevels(levels, kind) {
  if (!Array.isArray(levels)) throw new CaseError(`${kind}s: not an array of levels`)
  return levels.map((level, li) => {
    if (!Array.isArray(level)) throw new CaseError(`${kind}s[${li}]: level is not an array`)
    return {
      orgIdentifier: `${kind}-level-${li}`,
      policies: uniqueNames(level.map((p, pi) => unwrapPolicy(p, `${kind}-${li}-${pi}`)))
    }
  })
}

function stringValue(v, key) {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  throw new CaseError(`context ${key}: value must be a string, number, boolean or list of them`)
}

function mapContext(ctx) {
  if (ctx === undefined) return {}
  if (ctx === null || typeof ctx !== 'object' || Array.isArray(ctx)) {
    throw new CaseError('request.context is not an object')
  }
  const out = {}
  const seen = new Set()
  for (const [k, v] of Object.entries(ctx)) {
    const lower = k.toLowerCase()
    if (seen.has(lower)) throw new CaseError(`context key ${k} given twice (case-insensitively)`)
    seen.add(lower)
    out[k] = Array.isArray(v) ? v.map((e) => stringValue(e, k)) : stringValue(v, k)
  }
  return out
}

/** The 12-digit account of an ARN (`arn:p:svc:region:ACCOUNT:...`), if any. */
function arnAccount(s) {
  if (typeof s !== 'string' || !s.startsWith('arn:')) return undefined
  const parts = s.split(':')
  if (parts.length < 6) return undefined
  return /^\d{12}$/.test(parts[4]) ? parts[4] : undefined
}

/** Builds the simulator's `Simulation` input from one Gavel case. */
function toSimulation(c) {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) {
    throw new CaseError('case is not a JSON object')
  }
  const req = c.request
  if (!req || typeof req !== 'object') throw new CaseError('missing request')
  if (typeof req.principal !== 'string' || !req.principal) {
    throw new CaseError('request.principal must be a non-empty string')
  }
  if (typeof req.action !== 'string') throw new CaseError('request.action must be a string')
  if (typeof req.resource !== 'string') throw new CaseError('request.resource must be a string')
  if (!Array.isArray(c.identityPolicies)) throw new CaseError('identityPolicies must be an array')

  const anonymous = req.principal === 'anonymous'
  const principal = anonymous ? sim.anonymousPrincipal : req.principal

  let resourceAccount = req.resourceAccount
  if (resourceAccount !== undefined && typeof resourceAccount !== 'string') {
    resourceAccount = String(resourceAccount)
  }
  resourceAccount ??= arnAccount(req.resource) ?? (anonymous ? undefined : arnAccount(req.principal))
  if (resourceAccount === undefined) {
    throw new CaseError('cannot determine the resource account (give request.resourceAccount)')
  }

  const simulation = {
    request: {
      principal,
      action: req.action,
      resource: { resource: req.resource, accountId: resourceAccount },
      contextVariables: mapContext(req.context)
    },
    identityPolicies: uniqueNames(c.identityPolicies.map((p, i) => unwrapPolicy(p, `identity-${i}`))),
    serviceControlPolicies: c.scps === undefined ? [] : orgLevels(c.scps, 'scp'),
    resourceControlPolicies: c.rcps === undefined ? [] : orgLevels(c.rcps, 'rcp')
  }
  if (c.resourcePolicy !== undefined) {
    simulation.resourcePolicy = unwrapPolicy(c.resourcePolicy, 'resource').policy
  }
  if (c.permissionBoundaries !== undefined) {
    if (!Array.isArray(c.permissionBoundaries)) {
      throw new CaseError('permissionBoundaries must be an array')
    }
    if (c.permissionBoundaries.length > 0) {
      simulation.permissionBoundaryPolicies = uniqueNames(
        c.permissionBoundaries.map((p, i) => unwrapPolicy(p, `boundary-${i}`))
      )
    }
  }
  if (c.sessionPolicy !== undefined) {
    const sp = mergeSessionPolicies(c.sessionPolicy)
    if (sp !== undefined) simulation.sessionPolicy = sp
  }
  return simulation
}

// ---------------------------------------------------------------------------------------------
// Running it

const DECISIONS = {
  Allowed: 'Allow',
  ImplicitlyDenied: 'ImplicitDeny',
  ExplicitlyDenied: 'ExplicitDeny'
}

function mapDecision(r) {
  const d = DECISIONS[r]
  if (!d) throw new CaseError(`simulator returned an unknown result ${JSON.stringify(r)}`)
  return d
}

function describeErrors(errors) {
  const parts = [errors.message ?? 'error']
  const push = (label, list) => {
    for (const e of list ?? []) parts.push(`${label}: ${e.path ? e.path + ': ' : ''}${e.message}`)
  }
  push('session', errors.sessionPolicyErrors)
  push('resource', errors.resourcePolicyErrors)
  for (const field of [
    'identityPolicyErrors',
    'serviceControlPolicyErrors',
    'resourceControlPolicyErrors',
    'permissionBoundaryErrors'
  ]) {
    for (const [name, list] of Object.entries(errors[field] ?? {})) push(name, list)
  }
  for (const e of errors.anonymousRequestErrors ?? []) parts.push(e)
  return parts.join('; ')
}

/** Validates with the same per-type validators `runSimulation` uses; returns error text or null. */
function validate(simulation) {
  const v = iamPolicy
  const errs = []
  const check = (label, policy, fn) => {
    for (const e of fn(policy)) errs.push(`${label}: ${e.path ? e.path + ': ' : ''}${e.message}`)
  }
  for (const p of simulation.identityPolicies) check(p.name, p.policy, v.validateIdentityPolicy)
  for (const p of simulation.permissionBoundaryPolicies ?? []) {
    check(p.name, p.policy, v.validateIdentityPolicy)
  }
  if (simulation.sessionPolicy) check('session', simulation.sessionPolicy, v.validateIdentityPolicy)
  if (simulation.resourcePolicy) {
    check('resource', simulation.resourcePolicy, v.validateResourcePolicy)
  }
  for (const level of simulation.serviceControlPolicies) {
    for (const p of level.policies) check(p.name, p.policy, v.validateServiceControlPolicy)
  }
  for (const level of simulation.resourceControlPolicies) {
    for (const p of level.policies) check(p.name, p.policy, v.validateResourceControlPolicy)
  }
  return errs.length ? `policy.errors; ${errs.join('; ')}` : null
}

async function runCore(simulation) {
  const invalid = validate(simulation)
  if (invalid) return { error: invalid }
  const action = simulation.request.action
  const parts = action.split(':')
  if (parts.length !== 2) return { error: 'invalid.action' }
  let wildcardOnly
  try {
    wildcardOnly = await sim.isWildcardOnlyAction(parts[0], parts[1])
  } catch {
    return { error: `invalid.action: ${action} is not in the simulator's service data` }
  }
  const load = (p) => iamPolicy.loadPolicy(p.policy, { name: p.name })
  const rcpLevels = simulation.resourceControlPolicies.map((level) => ({
    orgIdentifier: level.orgIdentifier,
    policies: [
      iamPolicy.loadPolicy(RCP_FULL_AWS_ACCESS, { name: RCP_FULL_AWS_ACCESS_NAME }),
      ...level.policies.map(load)
    ]
  }))
  const request = new core.request.AwsRequestImpl(
    simulation.request.principal,
    {
      resource: simulation.request.resource.resource,
      accountId: simulation.request.resource.accountId
    },
    action,
    new core.context.RequestContextImpl(simulation.request.contextVariables),
    wildcardOnly
  )
  const analysis = core.engine.authorize({
    request,
    sessionPolicy: simulation.sessionPolicy
      ? iamPolicy.loadPolicy(simulation.sessionPolicy, { name: 'SessionPolicy' })
      : undefined,
    identityPolicies: simulation.identityPolicies.map(load),
    serviceControlPolicies: simulation.serviceControlPolicies.map((level) => ({
      orgIdentifier: level.orgIdentifier,
      policies: level.policies.map(load)
    })),
    resourceControlPolicies: rcpLevels,
    resourcePolicy: simulation.resourcePolicy
      ? iamPolicy.loadPolicy(simulation.resourcePolicy, { name: 'resource' })
      : undefined,
    permissionBoundaries: simulation.permissionBoundaryPolicies?.map(load),
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: 'Strict',
      discoveryContextKeyConstraints: new core.discovery.DiscoveryContextKeyConstraints([])
    },
    serviceSettings: { s3: { blockPublicAccess: undefined } }
  })
  return { peer: mapDecision(analysis.result) }
}

async function runPublic(simulation) {
  const res = await sim.runSimulation(simulation, { simulationMode: 'Strict' })
  if (res.resultType === 'error') return { error: describeErrors(res.errors) }
  const out = { peer: mapDecision(res.overallResult) }
  const ignored = res.resultType === 'single' ? res.result.ignoredContextKeys : undefined
  if (ignored && ignored.length > 0) out.ignoredContextKeys = ignored
  return out
}

async function answer(line, lineNo) {
  let c
  try {
    c = JSON.parse(line)
  } catch (e) {
    return { id: null, peer: null, error: `line ${lineNo}: invalid JSON: ${e.message}` }
  }
  const id = c && typeof c === 'object' && 'id' in c ? c.id : null
  try {
    const simulation = toSimulation(c)
    const r = engine === 'core' ? await runCore(simulation) : await runPublic(simulation)
    if (r.error) return { id, peer: null, error: r.error }
    return { id, ...r }
  } catch (e) {
    const msg = e instanceof CaseError ? e.message : `simulator threw: ${e?.message ?? e}`
    return { id, peer: null, error: msg }
  }
}

const input = file ? createReadStream(file, { encoding: 'utf8' }) : process.stdin
input.on('error', (e) => {
  process.stderr.write(`cannot read ${file}: ${e.message}\n`)
  process.exit(2)
})
const rl = createInterface({ input, crlfDelay: Infinity })
let lineNo = 0
for await (const raw of rl) {
  lineNo++
  const line = raw.trim()
  if (line === '' || line.startsWith('//')) continue
  const out = await answer(line, lineNo)
  process.stdout.write(JSON.stringify(out) + '\n')
}
