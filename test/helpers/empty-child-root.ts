// The state root an empty child block must carry, computed without the state: an empty block changes only what
// Prague's system calls write (sidechain/chain/system-contracts.ts), so the parent's proofs of those accounts and
// slots (eth_getProof) are enough — the writes are applied to the partial tries the proofs make, as a validator
// re-executing the block would apply them to the whole state.
import { createMPT, createMPTFromProof, updateMPTFromMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { KECCAK256_RLP, createAccount, unpadBytes } from '@ethereumjs/util'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { systemCallWrites, type SystemCallInputs } from '../../sidechain/chain/system-contracts.js'

interface ProofAnswer {
  nonce: string
  balance: string
  codeHash: string
  storageHash: string
  accountProof: string[]
  storageProof: { key: string; value: string; proof: string[] }[]
}

async function fromProofs(proofs: readonly string[][]): Promise<MerklePatriciaTrie> {
  const nodes = proofs.filter((p) => p.length > 0).map((p) => p.map((n) => hexToBytes(n, 'proof node')))
  if (nodes.length === 0) return createMPT({ useKeyHashing: true })
  const trie = await createMPTFromProof(nodes[0]!, { useKeyHashing: true })
  for (const more of nodes.slice(1)) await updateMPTFromMerkleProof(trie, more)
  return trie
}

/** The state root of an empty block on the parent at `parentNumber` with these system-call inputs. */
export async function emptyChildStateRoot(call: (method: string, params: unknown[]) => Promise<unknown>, parentNumber: bigint, block: SystemCallInputs): Promise<Uint8Array> {
  const tag = `0x${parentNumber.toString(16)}`
  const writes = systemCallWrites(block)
  const addresses = [...new Set(writes.map((w) => toHex(w.address)))]
  const answers = await Promise.all(addresses.map(async (a) => (await call('eth_getProof', [a, writes.filter((w) => toHex(w.address) === a).map((w) => toHex(w.key)), tag])) as ProofAnswer))
  const accounts = await fromProofs(answers.map((p) => p.accountProof))
  for (const [i, address] of addresses.entries()) {
    const p = answers[i]!
    const storage = await fromProofs(p.storageProof.map((s) => s.proof))
    if (p.storageProof.every((s) => s.proof.length === 0) && p.storageHash !== toHex(KECCAK256_RLP)) throw new Error(`no storage proof for ${address}`)
    for (const w of writes.filter((x) => toHex(x.address) === address)) {
      const value = unpadBytes(w.value)
      if (value.length === 0) await storage.del(w.key)
      else await storage.put(w.key, RLP.encode(value))
    }
    const account = createAccount({ nonce: BigInt(p.nonce), balance: BigInt(p.balance), storageRoot: storage.root(), codeHash: hexToBytes(p.codeHash, 'codeHash', 32) })
    await accounts.put(hexToBytes(address, 'address', 20), account.serialize())
  }
  return accounts.root()
}
