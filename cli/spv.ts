// `causeway spv …`: verify Bitcoin header files and gettxoutproof proofs, and compute the next period's nBits.
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { CausewayError } from '../spv/base/errors.js'
import { hashToDisplayHex, hexToBytes } from '../spv/base/bytes.js'
import { getBitcoinNetwork, type BitcoinNetwork } from '../spv/bitcoin/networks.js'
import { HEADER_SIZE, decodeHeader } from '../spv/bitcoin/header.js'
import { hash256 } from '../spv/bitcoin/hash.js'
import { retargetBits } from '../spv/bitcoin/difficulty.js'
import { verifyHeaderSequence } from '../spv/bitcoin/sequence.js'
import { verifyTxOutProof } from '../spv/bitcoin/merkleblock.js'
import { EXIT_INVALID, EXIT_OK, UsageError, printJson, type Io } from './output.js'

type Exit = (code: number) => void

function network(name: string): BitcoinNetwork {
  try {
    return getBitcoinNetwork(name)
  } catch (e) {
    throw new UsageError((e as Error).message, 'CLI_BAD_NETWORK', e)
  }
}

function hexArg(value: string, label: string, length?: number): Uint8Array {
  try {
    return hexToBytes(value.trim(), label, length)
  } catch (e) {
    throw new UsageError(`--${label}: ${(e as Error).message.replace(/^[^:]*: /, '')}`, 'CLI_BAD_HEX', e)
  }
}

async function readFileArg(path: string, label: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (e) {
    throw new UsageError(`${label}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'CLI_FILE_UNREADABLE', e)
  }
}

function intArg(value: string, label: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${label}: expected a non-negative integer, got "${value}"`)
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${label}: too large`)
  return n
}

export function registerSpv(program: Command, io: Io, exit: Exit): void {
  const spv = program.command('spv').description('Check Bitcoin SPV evidence: header chains, merkle proofs, difficulty')

  spv
    .command('verify-headers')
    .description('Verify a file of concatenated raw 80-byte headers as one chain (linkage, proof of work, difficulty rule, median time)')
    .requiredOption('--network <net>', 'mainnet, testnet3, testnet4, signet or regtest')
    .option('--start-height <h>', "height of the file's first header (may be left out when the file starts at genesis)")
    .option('--prev-chainwork <hex>', 'chain work before the first header, to report the total chain work')
    .argument('<file>', 'raw headers, 80 bytes each')
    .action(async (file: string, opts: { network: string; startHeight?: string; prevChainwork?: string }) => {
      const net = network(opts.network)
      const data = await readFileArg(file, 'FILE')
      let startHeight: number
      if (opts.startHeight !== undefined) startHeight = intArg(opts.startHeight, 'start-height')
      else if (data.length >= HEADER_SIZE && hashToDisplayHex(hash256(data.subarray(0, HEADER_SIZE))) === net.genesisHash) startHeight = 0
      else throw new UsageError(`--start-height is required: the file does not start with the ${net.name} genesis header`)
      let prevChainWork = 0n
      if (opts.prevChainwork !== undefined) {
        if (!/^(0x)?[0-9a-fA-F]{1,64}$/.test(opts.prevChainwork)) throw new UsageError('--prev-chainwork: expected up to 64 hex digits')
        prevChainWork = BigInt(opts.prevChainwork.startsWith('0x') ? opts.prevChainwork : `0x${opts.prevChainwork}`)
      }
      const result = verifyHeaderSequence(net, data, { startHeight, prevChainWork })
      if (result.valid) {
        printJson(io, {
          valid: true,
          count: result.count,
          tip: result.tip,
          chainwork: result.chainWork,
          startHeight: result.startHeight,
          tipHeight: result.tipHeight,
          uncheckedDifficulty: result.uncheckedDifficulty,
        })
        exit(EXIT_OK)
      } else {
        printJson(io, { valid: false, count: result.count, index: result.index, height: result.height, code: result.code, message: result.message })
        exit(EXIT_INVALID)
      }
    })

  spv
    .command('verify-proof')
    .description("Verify a gettxoutproof proof (a serialized CMerkleBlock) against its header's merkle root")
    .requiredOption('--proof <hex|@file>', 'the proof as hex, or @path to a file holding it raw or as hex')
    .option('--header <hex>', 'require the proof to be for this 80-byte header')
    .action(async (opts: { proof: string; header?: string }) => {
      let proof: Uint8Array
      if (opts.proof.startsWith('@')) {
        const bytes = await readFileArg(opts.proof.slice(1), '--proof')
        const text = new TextDecoder().decode(bytes).trim()
        proof = /^(0x)?[0-9a-fA-F]+$/.test(text) && text.length > 2 * HEADER_SIZE ? hexArg(text, 'proof') : bytes
      } else {
        proof = hexArg(opts.proof, 'proof')
      }
      const header = opts.header === undefined ? undefined : hexArg(opts.header, 'header', HEADER_SIZE)
      try {
        const result = verifyTxOutProof(proof, header)
        printJson(io, {
          valid: true,
          blockHash: hashToDisplayHex(result.blockHash),
          merkleRoot: hashToDisplayHex(result.merkleRoot),
          matches: result.matches.map((m) => ({ txid: hashToDisplayHex(m.txid), index: m.index })),
        })
        exit(EXIT_OK)
      } catch (e) {
        if (!(e instanceof CausewayError) || e instanceof UsageError) throw e
        printJson(io, { valid: false, code: e.code, message: e.message })
        exit(EXIT_INVALID)
      }
    })

  spv
    .command('next-bits')
    .description("Given the first and last header of a difficulty period, print the nBits the next period's first header must carry")
    .requiredOption('--network <net>', 'mainnet, testnet3, testnet4, signet or regtest')
    .requiredOption('--first <hex>', 'first header of the period (80 bytes, hex)')
    .requiredOption('--last <hex>', 'last header of the period (80 bytes, hex)')
    .action((opts: { network: string; first: string; last: string }) => {
      const net = network(opts.network)
      const first = decodeHeader(hexArg(opts.first, 'first', HEADER_SIZE))
      const last = decodeHeader(hexArg(opts.last, 'last', HEADER_SIZE))
      // BIP94 (testnet4) scales the first block's target; every other network scales the last block's.
      const base = net.enforceBIP94 ? first.bits : last.bits
      const bits = retargetBits(net, first.time, last.time, base)
      printJson(io, {
        network: net.name,
        bits: bits.toString(16).padStart(8, '0'),
        timespan: last.time - first.time,
      })
      exit(EXIT_OK)
    })
}
