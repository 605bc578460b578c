// The EVM duty's round (federation/signer/evm/duty.ts) over fakes of its two nodes and the bridge, with a real
// signing log in a temp dir: a header at depth is attested once, a withdrawal is signed and submitted, a "restart"
// re-sends the same signature bytes, a withdrawal rebuilt differently from the logged one is refused and nothing is
// sent, and a complete withdrawal goes to the vault. (The end-to-end test with the bridge's EVM wing and the Vault
// belongs to the integrator: those live on other branches.)
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { toHex, hexToBytes } from '../../../spv/base/bytes.js'
import { encodeEvmHeader, evmHeaderHash, type EvmHeader } from '../../../spv/evm/index.js'
import { recoverWithdrawalSigner, withdrawalDigest, wrappedTokenAddress, type Withdrawal } from '../../../peg/evm/index.js'
import { memberKeyFrom } from '../../../federation/keystore.js'
import { runDutyRound } from '../../../federation/signer/duty.js'
import { createSignerMetrics } from '../../../federation/signer/metrics.js'
import { openSigningDb, type SigningDb } from '../../../federation/signer/signing-db.js'
import { evmSignerConfig } from '../../../federation/signer/evm/config.js'
import { EvmDuty } from '../../../federation/signer/evm/duty.js'
import { EvmSigningLog } from '../../../federation/signer/evm/signing-log.js'
import { EVM_WITHDRAWAL_STATUS, type RequestedWithdrawal, type StoredWithdrawal } from '../../../federation/signer/evm/review.js'

const KEY = memberKeyFrom('0x' + '5a'.repeat(32))
const CHAIN = 31337n
const SIDE = 1337n
const cfg = evmSignerConfig({ rpcUrl: 'http://127.0.0.1:1', chainId: 31337, vault: '0x' + '11'.repeat(20), confirmations: 5, pollMs: 50, fromBlock: 0 })
const header: EvmHeader = {
  parentHash: new Uint8Array(32).fill(1), sha3Uncles: new Uint8Array(32).fill(2), miner: new Uint8Array(20), stateRoot: new Uint8Array(32),
  transactionsRoot: new Uint8Array(32), receiptsRoot: new Uint8Array(32), logsBloom: new Uint8Array(256), difficulty: 0n, number: 100n,
  gasLimit: 30_000_000n, gasUsed: 0n, timestamp: 1n, extraData: new Uint8Array(), mixHash: new Uint8Array(32), nonce: new Uint8Array(8), baseFeePerGas: 7n,
}
const fetched = { header, rlp: encodeEvmHeader(header), hash: evmHeaderHash(header), number: 100n, transactions: [] }
const ETH = new Uint8Array(20)
const REQUESTER = new Uint8Array(20).fill(0x33)
const RECIPIENT = new Uint8Array(20).fill(0x44)

function world(amount = 10n ** 17n) {
  const wrapped = wrappedTokenAddress(CHAIN, ETH)
  const w: Withdrawal = { mainChainId: CHAIN, vault: cfg.vault, sideChainId: SIDE, id: 1n, token: ETH, recipient: RECIPIENT, amount, epoch: 1n }
  const requested: RequestedWithdrawal = { id: 1n, requester: REQUESTER, wrappedToken: wrapped, mainChainId: CHAIN, mainToken: ETH, mainRecipient: RECIPIENT, amount, epoch: 1n, burn: { token: wrapped, from: REQUESTER, amount } }
  const state = {
    stored: { status: EVM_WITHDRAWAL_STATUS.requested, requester: REQUESTER, mainChainId: CHAIN, mainToken: ETH, wrappedToken: wrapped, mainRecipient: RECIPIENT, amount, epoch: 1n, digest: withdrawalDigest(w), signers: 0n } as StoredWithdrawal & { signers: bigint },
    sent: [] as { method: string; args: readonly unknown[] }[],
    paid: [] as { w: Withdrawal; sigs: readonly string[] }[],
  }
  const main = {
    client: {},
    head: async () => 104n,
    vaultLogBlocks: async () => [{ number: 100n, hash: fetched.hash, depositTxs: new Set<number>(), withdrawnTxs: new Set<number>() }],
    headerByHash: async () => fetched,
    headerAt: async () => fetched,
    used: async () => false,
    sendWithdraw: async (x: Withdrawal, sigs: readonly string[]) => (state.paid.push({ w: x, sigs }), '0xpaid'),
  }
  const side = {
    finalizedHead: async () => 5,
    requests: async () => [requested],
    stored: async () => state.stored,
    epoch: async () => 1n,
    read: { getEvmHeader: async () => ({ accepted: false, attesters: 0n }), isEvmDepositRegistered: async () => true, getEvmWithdrawalSignatures: async () => ['0xaa', '0xbb'] },
  }
  const bridge = { send: async (method: string, args: readonly unknown[]) => (state.sent.push({ method, args }), { hash: '0x1', mined: Promise.resolve(true) }) }
  return { state, main, side, bridge, w }
}

function duty(db: SigningDb, x: ReturnType<typeof world>) {
  return new EvmDuty({ evm: cfg, relay: true, key: KEY, member: 0, sideChainId: SIDE, main: x.main as never, side: x.side as never, bridge: x.bridge as never, signingLog: new EvmSigningLog(db), log: pino({ level: 'silent' }), metrics: createSignerMetrics() })
}

describe('EvmDuty round', () => {
  let dir: string | undefined
  let db: SigningDb | undefined
  afterEach(async () => {
    await db?.close()
    db = undefined
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('attests, signs and submits; after a restart it re-sends the same bytes; a changed withdrawal is refused; complete → vault', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'evm-duty-'))
    db = await openSigningDb(dir)
    const x = world()
    await runDutyRound(duty(db, x))
    expect(x.state.sent.map((s) => s.method)).toEqual(['attestEvmHeader', 'addEvmWithdrawalSignature'])
    expect(x.state.sent[0]!.args).toEqual([CHAIN, toHex(fetched.rlp)])
    const [id, sig] = x.state.sent[1]!.args as [bigint, string]
    expect(id).toBe(1n)
    expect(toHex(recoverWithdrawalSigner(withdrawalDigest(x.w), hexToBytes(sig, 'sig', 65)))).toBe(KEY.address.toLowerCase())

    // Restart: the bridge still shows this member unsigned (its transaction was lost).
    await db.close()
    db = await openSigningDb(dir)
    const y = world()
    y.main.vaultLogBlocks = async () => [] // nothing new on the main chain
    await runDutyRound(duty(db, y))
    expect(y.state.sent).toEqual([{ method: 'addEvmWithdrawalSignature', args: [1n, sig] }])

    // The same id rebuilt to another withdrawal (everything consistent, amount changed): refused, nothing sent.
    const z = world(2n * 10n ** 17n)
    z.main.vaultLogBlocks = async () => []
    const d = duty(db, z)
    await runDutyRound(d)
    expect(z.state.sent).toEqual([])
    expect(await db.get('evm!refused!withdrawal!1')).toContain('SIGNER_EVM_LOGGED_DIGEST_DIFFERS')

    // Complete on the bridge: this member (member 0, its turn at once) sends it to the vault with the bridge's signatures.
    const v = world()
    v.main.vaultLogBlocks = async () => []
    v.state.stored = { ...v.state.stored, status: EVM_WITHDRAWAL_STATUS.signed }
    await runDutyRound(duty(db, v))
    expect(v.state.paid).toHaveLength(1)
    expect(v.state.paid[0]!.sigs).toEqual(['0xaa', '0xbb'])
    expect(withdrawalDigest(v.state.paid[0]!.w)).toEqual(withdrawalDigest(x.w))
    expect(v.state.sent).toEqual([])
  })

  it('never attests a second header at a height it attested', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'evm-duty-'))
    db = await openSigningDb(dir)
    await new EvmSigningLog(db).recordAttested(CHAIN, 100n, '0x' + '77'.repeat(32), 1)
    const x = world()
    x.side.requests = async () => []
    await runDutyRound(duty(db, x))
    expect(x.state.sent).toEqual([])
    expect(await db.get('evm!refused!header!100')).toContain('SIGNER_EVM_HEADER_HEIGHT_ATTESTED')
  })
})
