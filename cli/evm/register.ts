// `causeway evm register <main-tx-hash>`: relay your own proof of a deposit instead of waiting for the signers' relay
// (client/evm's proveEvmDeposit, then registerEvmDeposit from your side-chain account). The header must already be
// accepted (k members attested it): otherwise CLI_EVM_HEADER_NOT_ACCEPTED says how many of k did, and nothing is
// sent. A deposit already registered is not an error: it is reported (alreadyRegistered: true) and exits 0.
import type { Command } from 'commander'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { CausewayError } from '../../spv/base/errors.js'
import { proveEvmDeposit } from '../../client/evm.js'
import { resolveEndpoints, resolveKey, withKeyOptions, type KeyFlags } from '../connect.js'
import { receiptEvents, sendBridge } from '../bridge-view.js'
import { lines, runReport } from '../report.js'
import type { Io } from '../output.js'
import { parseMainTxHash } from './args.js'
import { federationThreshold, mainOf, openEvmSession, type EvmFlags } from './session.js'
import { withEvmOptions } from './options.js'

export function registerEvmRegister(evm: Command, io: Io, exit: (code: number) => void): void {
  withKeyOptions(
    withEvmOptions(
      evm
        .command('register')
        .description('Relay the proof of a main-chain deposit yourself (once its block is accepted); exits 0 when it is already registered')
        .argument('<main-tx-hash>', 'the deposit\'s main-chain transaction hash'),
    ),
  ).action(async (hashText: string, _o: unknown, cmd: Command) =>
    runReport(io, exit, cmd, async (flags, progress) => {
      const f = flags as EvmFlags & KeyFlags
      const hash = parseMainTxHash(hashText)
      const endpoints = await resolveEndpoints(f, { bitcoin: false })
      const key = await resolveKey(f, endpoints.world)
      const e = await openEvmSession(f, 'required', key.privateKey)
      try {
        const m = mainOf(e)
        progress(`proving the vault's Deposit log(s) of ${hash} from the main chain's block and receipts…`)
        const proofs = await proveEvmDeposit(m.client, hash, { mainChainId: e.chain.chainId, vault: hexToBytes(e.chain.vault, 'vault', 20) })
        const results: { depositId: string; nonce: string; alreadyRegistered: boolean; sidechainTx: string | null }[] = []
        for (const p of proofs) {
          const id = toHex(p.depositId)
          if (await e.evm.isEvmDepositRegistered([id])) {
            results.push({ depositId: id, nonce: p.deposit.nonce.toString(), alreadyRegistered: true, sidechainTx: null })
            continue
          }
          const header = await e.evm.getEvmHeader([e.chain.chainId, toHex(p.blockHash)])
          if (!header.accepted) {
            const k = await federationThreshold(e.evm)
            throw new CausewayError(
              'CLI_EVM_HEADER_NOT_ACCEPTED',
              `the main-chain block ${p.blockNumber} (${toHex(p.blockHash)}) is not accepted by the bridge yet: ${header.attestations} of ${k} members attested it; try again once k have (causeway evm status ${hash})`,
              { details: { attestations: Number(header.attestations), threshold: k, blockHash: toHex(p.blockHash) } },
            )
          }
          try {
            const receipt = await sendBridge(e.s, 'registerEvmDeposit', [...p.args], progress)
            const minted = receiptEvents(receipt).some((x) => x.name === 'EvmDepositMinted')
            if (!minted) throw new CausewayError('CLI_TX_FAILED', `transaction ${receipt.hash} minted nothing`)
            results.push({ depositId: id, nonce: p.deposit.nonce.toString(), alreadyRegistered: false, sidechainTx: receipt.hash })
          } catch (err) {
            // A signer's relay may land between our check and our send: the bridge's answer is then "already".
            if (err instanceof CausewayError && /REPLAYED|ALREADY|REGISTERED/.test(err.code) && (await e.evm.isEvmDepositRegistered([id]))) {
              results.push({ depositId: id, nonce: p.deposit.nonce.toString(), alreadyRegistered: true, sidechainTx: null })
            } else throw err
          }
        }
        const all = results.every((r) => r.alreadyRegistered)
        return {
          json: { mainTx: hash, alreadyRegistered: all, deposits: results },
          text: [
            all ? `deposit(s) of ${hash} already registered: nothing sent` : `registered the deposit(s) of ${hash}`,
            ...results.map((r) => lines([[`  deposit ${r.nonce}`, r.alreadyRegistered ? 'already registered' : `minted in side-chain transaction ${r.sidechainTx}`]])),
          ].join('\n'),
        }
      } finally {
        e.close()
      }
    }),
  )
}
