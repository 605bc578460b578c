// Two speed-ups of @ethereumjs/common that reach into its internals (`_activatedEIPsCache`, `_params`,
// `_paramsCache`): they are why @ethereumjs/* is pinned to exact versions in package.json. Each checks at install
// that the internals it relies on are there and throws EXEC_ETHEREUMJS_CHANGED when they are not, and
// test/unit/sidechain/exec/ethereumjs-patches.test.ts checks that the patched Common answers exactly as the
// library's own does — so a version bump that breaks one fails loudly, not by slowly computing something else.
import type { Common, ParamsDict } from '@ethereumjs/common'
import { fail } from '../../spv/base/errors.js'

/** Installs both speed-ups on `common` (and so on its copies); call after its parameters are merged. */
export function speedUpCommon(common: Common): void {
  requireInternals(common)
  skipRedundantParamUpdates(common)
  setLookupOfActiveEips(common)
}

/** Throws EXEC_ETHEREUMJS_CHANGED unless `common` has the internals these speed-ups use. */
export function requireInternals(common: Common): void {
  const c = common as unknown as { _activatedEIPsCache?: unknown; _params?: unknown; _paramsCache?: unknown }
  const missing = [
    Array.isArray(c._activatedEIPsCache) ? undefined : '_activatedEIPsCache (an array)',
    typeof c._params === 'object' && c._params !== null ? undefined : '_params (an object)',
    typeof c._paramsCache === 'object' && c._paramsCache !== null ? undefined : '_paramsCache (an object)',
    typeof common.updateParams === 'function' ? undefined : 'updateParams()',
    typeof common.isActivatedEIP === 'function' ? undefined : 'isActivatedEIP()',
  ].filter((x) => x !== undefined)
  if (missing.length > 0) {
    fail('EXEC_ETHEREUMJS_CHANGED', `@ethereumjs/common no longer has ${missing.join(', ')}: sidechain/exec/common-speedups.ts must be updated with the version bump`)
  }
}

/** Sets of active EIPs, per list of active EIPs (Common replaces the list whenever the hardfork or EIPs change). */
const eipSets = new WeakMap<readonly number[], ReadonlySet<number>>()

/**
 * `common.isActivatedEIP` searches an array of ~100 EIPs, and the EVM asks it twice for every opcode it runs
 * (EIP-6800 and 7864, both inactive, so every search goes to the end): ~12 % of an ERC-20 transfer's execution.
 * The same answer from a set built once per list. An own property, so `common.copy()` keeps it (it uses `this`).
 */
function setLookupOfActiveEips(common: Common): void {
  common.isActivatedEIP = function (this: Common, eip: number): boolean {
    const list = (this as unknown as { _activatedEIPsCache: readonly number[] })._activatedEIPsCache
    let set = eipSets.get(list)
    if (set === undefined) eipSets.set(list, (set = new Set(list)))
    return set.has(eip)
  }
}

/** How often each parameter set (Common._params, shared between a Common and its copies) has changed. */
const paramsVersions = new WeakMap<object, number>()
/** For each parameter cache object (Common._paramsCache, also shared by copies): what it was built from. */
const cacheBuiltFrom = new WeakMap<object, { readonly params: object; readonly version: number }>()

/**
 * Every transaction and block ethereumjs constructs calls `updateParams(…)` with its package's parameter set (or
 * `{}`) on its own copy of the Common, which deep-copies the set and rebuilds the whole parameter cache — for a
 * block of 1000 decoded transactions a thousand times, and ~17 % of admitting one. The call is skipped when it
 * would change nothing: every value is already in the parameters, and the cache this Common holds was built from
 * them since they last changed. Copies share both the parameters and the cache object with the Common they came
 * from (until they rebuild their own: a new object), so the check holds for them too. Changing the hardfork or
 * the EIPs builds a new cache object, which is then rebuilt once more on its next update. Installed as an own
 * property, so copies keep it (it uses `this`).
 */
function skipRedundantParamUpdates(common: Common): void {
  const own = common as unknown as { _params: object; _paramsCache: object }
  // The cache was built by the updateParams just before: record it, or every copy would rebuild its own.
  cacheBuiltFrom.set(own._paramsCache, { params: own._params, version: paramsVersions.get(own._params) ?? 0 })
  const update = common.updateParams
  common.updateParams = function (this: Common, params: ParamsDict): void {
    const self = this as unknown as { _params: object; _paramsCache: object }
    const shared = self._params
    const version = paramsVersions.get(shared) ?? 0
    const built = cacheBuiltFrom.get(self._paramsCache)
    const merged = alreadyMerged(this, params)
    if (merged && built !== undefined && built.params === shared && built.version === version) return
    update.call(this, params)
    const now = merged ? version : version + 1
    paramsVersions.set(shared, now)
    cacheBuiltFrom.set(self._paramsCache, { params: shared, version: now })
  }
}

function alreadyMerged(common: Common, params: ParamsDict): boolean {
  const current = (common as unknown as { _params: ParamsDict })._params
  for (const [eip, config] of Object.entries(params)) {
    const have = current[eip] as Record<string, unknown> | undefined
    if (have === undefined || have === null) return false
    for (const [key, value] of Object.entries(config ?? {})) {
      if (typeof value === 'object' && value !== null) return false
      if (have[key] !== value) return false
    }
  }
  return true
}
