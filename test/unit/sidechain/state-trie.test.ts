// The state manager's storage writes stay in its cache until a flush: the same values and the same state root as
// a state manager without caches that writes every change straight to the tries, through checkpoints, commits
// and reverts of nested calls, and across several flushes.
import fc from 'fast-check'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, Address } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { openState, openStateTrie } from '../../../sidechain/exec/state-trie.js'
import { toHex } from '../../../spv/base/bytes.js'

const ADDRESSES = [1, 2, 3].map((i) => new Address(new Uint8Array(20).fill(i)))
const slot = (n: number) => {
  const k = new Uint8Array(32)
  k[31] = n
  return k
}

type Op =
  | { kind: 'put'; account: number; slot: number; value: Uint8Array }
  | { kind: 'checkpoint' }
  | { kind: 'commit' }
  | { kind: 'revert' }
  | { kind: 'root' }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), account: fc.nat(2), slot: fc.nat(7), value: fc.uint8Array({ maxLength: 32 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'checkpoint' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'commit' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'revert' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'root' as const }) },
)

describe('state manager storage writes', () => {
  it('give the values and roots of writing through to the tries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const ours = await openState()
        const reference = new MerkleStateManager({ trie: await openStateTrie() })
        const both = [ours, reference]
        for (const sm of both) for (const a of ADDRESSES) await sm.putAccount(a, new Account(1n, 10n))
        let depth = 0
        for (const o of ops) {
          if (o.kind === 'put') for (const sm of both) await sm.putStorage(ADDRESSES[o.account]!, slot(o.slot), o.value)
          else if (o.kind === 'checkpoint') {
            for (const sm of both) await sm.checkpoint()
            depth++
          } else if (o.kind === 'commit' || o.kind === 'revert') {
            if (depth === 0) continue
            for (const sm of both) await (o.kind === 'commit' ? sm.commit() : sm.revert())
            depth--
          } else if (depth === 0) {
            expect(toHex(await ours.getStateRoot())).toBe(toHex(await reference.getStateRoot()))
          }
          for (const a of ADDRESSES) for (let s = 0; s < 8; s++) expect(toHex(await ours.getStorage(a, slot(s)))).toBe(toHex(await reference.getStorage(a, slot(s))))
        }
        while (depth-- > 0) for (const sm of both) await sm.commit()
        expect(toHex(await ours.getStateRoot())).toBe(toHex(await reference.getStateRoot()))
      }),
      { numRuns: 80 },
    )
  })
})
