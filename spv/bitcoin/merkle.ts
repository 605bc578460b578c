// Full Bitcoin merkle trees over a block's txids, as Bitcoin Core's consensus/merkle.cpp computes them: the
// levels of the tree (used to build partial merkle trees) and the root with its CVE-2012-2459 "mutated" flag.
import { equalBytes } from '../base/bytes.js'
import { fail } from '../base/errors.js'
import { merkleParent } from './hash.js'

/**
 * Every level of the merkle tree, leaves first and the root level (one node) last. A level of odd length
 * pairs its last node with itself (Core's ComputeMerkleRoot and CPartialMerkleTree::CalcHash agree on this),
 * so level h has ceil(n / 2^h) nodes, Core's CalcTreeWidth(h).
 */
export function merkleLevels(leaves: readonly Uint8Array[]): Uint8Array[][] {
  if (leaves.length === 0) fail('SPV_MERKLE_NO_LEAVES', 'a merkle tree needs at least one leaf')
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!
    if (leaf.length !== 32) fail('BAD_LENGTH', `merkle leaf ${i}: expected 32 bytes, got ${leaf.length}`, { index: i })
  }
  const levels: Uint8Array[][] = [leaves.slice()]
  let level = levels[0]!
  while (level.length > 1) {
    const next: Uint8Array[] = new Array<Uint8Array>((level.length + 1) >>> 1)
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!
      next[i >>> 1] = merkleParent(left, level[i + 1] ?? left)
    }
    levels.push(next)
    level = next
  }
  return levels
}

/**
 * The merkle root of `leaves` (txids in internal byte order), and whether the tree is "mutated": some level
 * holds two equal nodes at an even position and the one after it, so that a different list of leaves (the
 * same with a duplicated tail) has the same root (CVE-2012-2459; Core's ComputeMerkleRoot `mutated` output,
 * which a block validator must treat as an invalid block, `bad-txns-duplicate`).
 */
export function computeMerkleRoot(leaves: readonly Uint8Array[]): { root: Uint8Array; mutated: boolean } {
  const levels = merkleLevels(leaves)
  let mutated = false
  for (let h = 0; h + 1 < levels.length && !mutated; h++) {
    const level = levels[h]!
    for (let i = 0; i + 1 < level.length; i += 2) {
      if (equalBytes(level[i]!, level[i + 1]!)) {
        mutated = true
        break
      }
    }
  }
  return { root: levels[levels.length - 1]![0]!, mutated }
}
