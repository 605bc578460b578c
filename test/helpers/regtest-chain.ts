// A synthetic Bitcoin regtest chain for unit tests of the bridge: real blocks (coinbase + given transactions,
// real merkle roots, headers mined at regtest difficulty) and Core-format `gettxoutproof` proofs built with the
// project's partial merkle tree, so the bridge checks them exactly as it checks bcoin's. Integration tests use a
// real bcoin node instead.
import { Transaction } from 'bitcoinjs-lib'
import { encodeHeader } from '../../spv/bitcoin/header.js'
import { hash256 } from '../../spv/bitcoin/hash.js'
import { computeMerkleRoot } from '../../spv/bitcoin/merkle.js'
import { buildMerkleBlock, encodeMerkleBlock } from '../../spv/bitcoin/merkleblock.js'
import { decodeCompact } from '../../spv/bitcoin/pow.js'
import { regtest } from '../../spv/bitcoin/networks.js'
import { bytesToBigIntLE, hexToBytes } from '../../spv/base/bytes.js'

export interface MinedBlock {
  readonly header: Uint8Array
  readonly hash: Uint8Array
  readonly height: number
  readonly txs: readonly Uint8Array[]
  /** The `gettxoutproof` of transaction `index` (default: the first non-coinbase). */
  proof(index?: number): Uint8Array
}

const BITS = 0x207fffff

function coinbase(height: number, tag: number): Uint8Array {
  const tx = new Transaction()
  tx.version = 2
  const script = new Uint8Array([4, height & 0xff, (height >> 8) & 0xff, (height >> 16) & 0xff, tag & 0xff])
  tx.addInput(Buffer.alloc(32), 0xffffffff, 0xffffffff, Buffer.from(script))
  tx.addOutput(Buffer.from([0x51]), 50_0000_0000n)
  return new Uint8Array(tx.toBuffer())
}

export class RegtestChain {
  readonly blocks: MinedBlock[] = []
  readonly genesisHeader = hexToBytes(regtest.genesisHeader, 'genesis', 80)
  private time = 1_700_000_000

  get tipHash(): Uint8Array {
    return this.blocks.length === 0 ? hash256(this.genesisHeader) : this.blocks[this.blocks.length - 1]!.hash
  }

  get height(): number {
    return this.blocks.length
  }

  /** Mines one block on the tip (or on `parent`, for a fork) holding `txs` after a coinbase. */
  mine(txs: readonly Uint8Array[] = [], options: { parent?: MinedBlock | null; tag?: number } = {}): MinedBlock {
    const parentBlock = options.parent === undefined ? this.blocks[this.blocks.length - 1] : options.parent
    const prevHash = parentBlock === undefined || parentBlock === null ? hash256(this.genesisHeader) : parentBlock.hash
    const height = (parentBlock?.height ?? 0) + 1
    const all = [coinbase(height, options.tag ?? 0), ...txs]
    const txids = all.map((raw) => new Uint8Array(Transaction.fromBuffer(Buffer.from(raw)).getHash()))
    const merkleRoot = computeMerkleRoot(txids).root
    this.time += 600
    const target = decodeCompact(BITS).target
    let header: Uint8Array | undefined
    for (let nonce = 0; header === undefined; nonce++) {
      const raw = encodeHeader({ version: 0x20000000, prevHash, merkleRoot, time: this.time, bits: BITS, nonce })
      if (bytesToBigIntLE(hash256(raw)) <= target) header = raw
    }
    const h = header
    const block: MinedBlock = {
      header: h,
      hash: hash256(h),
      height,
      txs: all,
      proof: (index = 1) => encodeMerkleBlock(buildMerkleBlock(h, txids, [index])),
    }
    if (options.parent === undefined) this.blocks.push(block)
    return block
  }

  mineEmpty(n: number): MinedBlock[] {
    const out: MinedBlock[] = []
    for (let i = 0; i < n; i++) out.push(this.mine())
    return out
  }

  /** Headers from `fromHeight` to the tip, concatenated (for receiveBtcHeaders). */
  headersFrom(fromHeight: number): Uint8Array {
    const hs = this.blocks.filter((b) => b.height >= fromHeight).map((b) => b.header)
    const out = new Uint8Array(hs.length * 80)
    hs.forEach((h, i) => out.set(h, i * 80))
    return out
  }
}
