// `causeway federation init`: makes a local federation — for each member a peg key (its encrypted keystore; the
// same key is its side-chain account for bridge calls) and a consensus key for its validator node — and the
// federation's public description: keys, the signers' threshold, the P2WSH address and its output descriptor (so
// anyone can watch the reserves in Bitcoin Core), the validators' quorum, and the bridge section of the chain
// configuration. Two thresholds, two rules: `threshold` is the peg's k-of-n multisig (k signers move the
// federation's BTC; more than half, so no minority can), `validatorQuorum` the precommits that finalize a block
// (3k > 2n, so f faulty validators of n = 3f + 1 cannot finalize two blocks at one height; sidechain/consensus/quorum.ts).
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import * as ecc from 'tiny-secp256k1'
import { bytesToHex } from '../spv/base/bytes.js'
import { fail } from '../spv/base/errors.js'
import { getBitcoinNetwork, type BitcoinNetworkName } from '../spv/bitcoin/networks.js'
import { addressNetworkFor, createFederation, federationAddress, federationDescriptor } from '../peg/bitcoin/index.js'
import { checkThreshold, quorumFor } from '../sidechain/consensus/quorum.js'
import { memberKeyFrom, writeKeystore } from './keystore.js'

export interface FederationInitOptions {
  readonly members: number
  /** The peg's signers: signatures a Bitcoin spend of the federation's coins needs (more than half of the members). */
  readonly threshold: number
  /** The validators: precommits that finalize a side-chain block; default quorumFor(members) = ⌊2n/3⌋ + 1. */
  readonly validatorQuorum?: number
  /** Accept a validatorQuorum with 3k ≤ 2n: then one faulty validator can finalize two blocks at one height. */
  readonly toleratesNoByzantineValidator?: boolean
  readonly out: string
  readonly passphrase: string
  readonly network?: BitcoinNetworkName
  /** Address prefix of the Bitcoin node, when not the network's (bcoin regtest: rb). */
  readonly bech32?: string
  /** Light scrypt for throw-away regtest keystores. */
  readonly lightKeystores?: boolean
  readonly random?: (n: number) => Uint8Array
}

export interface FederationInit {
  readonly pubkeys: readonly string[]
  /** Signers' threshold of the peg's multisig. */
  readonly threshold: number
  /** Validators' quorum: the `threshold` of every node's configuration. */
  readonly validatorQuorum: number
  /** Set only when the quorum was accepted with 3k ≤ 2n (the nodes' `consensus.toleratesNoByzantineValidator`). */
  readonly toleratesNoByzantineValidator?: true
  readonly address: string
  readonly descriptor: string
  /** Side-chain addresses of the members (they call the bridge's federation methods and need gas). */
  readonly memberAddresses: readonly string[]
  /** Consensus public keys of the members' validator nodes. */
  readonly validatorPubkeys: readonly string[]
  /** The `chain.bridge` section for every node's configuration. */
  readonly bridge: Record<string, unknown>
  readonly files: { readonly keystores: readonly string[]; readonly validatorKeys: readonly string[]; readonly federation: string }
}

export async function initFederation(o: FederationInitOptions): Promise<FederationInit> {
  if (!Number.isInteger(o.members) || o.members < 1 || o.members > 15) fail('FEDERATION_BAD_OPTION', `--members must be 1 to 15, got ${o.members}`)
  if (!Number.isInteger(o.threshold) || o.threshold < 1 || o.threshold > o.members) {
    fail('FEDERATION_BAD_OPTION', `--threshold must be 1 to ${o.members}, got ${o.threshold}`)
  }
  if (2 * o.threshold <= o.members) {
    fail('FEDERATION_BAD_OPTION', `signer threshold ${o.threshold} of ${o.members} lets two halves of the members each move the federation's coins: need more than half (recommended ${quorumFor(o.members)})`)
  }
  const validatorQuorum = o.validatorQuorum ?? quorumFor(o.members)
  const tolerates = o.toleratesNoByzantineValidator === true
  checkThreshold(o.members, validatorQuorum, { tolerateNoByzantine: tolerates, optionName: '--tolerates-no-byzantine-validator' })
  if (o.passphrase.length < 8) fail('FEDERATION_BAD_OPTION', 'the keystore passphrase must have at least 8 characters')
  const random = o.random ?? ((n: number) => new Uint8Array(randomBytes(n)))
  const newKey = (): Uint8Array => {
    for (;;) {
      const k = random(32)
      if (ecc.isPrivate(k)) return k
    }
  }
  const network = getBitcoinNetwork(o.network ?? 'regtest')
  await mkdir(o.out, { recursive: true })
  const members = Array.from({ length: o.members }, () => memberKeyFrom('0x' + bytesToHex(newKey())))
  const validatorKeys = Array.from({ length: o.members }, () => newKey())
  const fed = createFederation(members.map((m) => m.publicKey), o.threshold)
  const keystores: string[] = []
  const validatorKeyFiles: string[] = []
  for (let i = 0; i < o.members; i++) {
    const dir = path.join(o.out, `member-${i}`)
    await mkdir(dir, { recursive: true })
    const ks = path.join(dir, 'keystore.json')
    await writeKeystore(ks, '0x' + bytesToHex(members[i]!.privateKey), o.passphrase, o.lightKeystores === true)
    keystores.push(ks)
    const vk = path.join(dir, 'validator.key')
    await writeFile(vk, '0x' + bytesToHex(validatorKeys[i]!) + '\n', { mode: 0o600 })
    validatorKeyFiles.push(vk)
  }
  const bridge = {
    federation: { pubkeys: members.map((m) => bytesToHex(m.publicKey)), threshold: o.threshold },
    bitcoin: {
      network: network.name,
      ...(o.bech32 === undefined ? {} : { bech32: o.bech32 }),
      checkpoint: { height: 0, header: network.genesisHeader, chainWork: 2 },
      confirmations: network.name === 'regtest' ? 6 : 6,
    },
  }
  const addrNet = addressNetworkFor(network, o.bech32)
  const result = {
    pubkeys: members.map((m) => bytesToHex(m.publicKey)),
    threshold: o.threshold,
    validatorQuorum,
    ...(tolerates && 3 * validatorQuorum <= 2 * o.members ? { toleratesNoByzantineValidator: true as const } : {}),
    address: federationAddress(fed, addrNet),
    descriptor: federationDescriptor(fed),
    memberAddresses: members.map((m) => m.address),
    validatorPubkeys: validatorKeys.map((k) => '0x' + bytesToHex(ecc.pointFromScalar(k, true)!)),
    bridge,
  }
  const federationFile = path.join(o.out, 'federation.json')
  await writeFile(federationFile, JSON.stringify(result, null, 2) + '\n')
  return { ...result, files: { keystores, validatorKeys: validatorKeyFiles, federation: federationFile } }
}
