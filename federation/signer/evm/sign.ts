// Signing a reviewed withdrawal once: the EIP-712 signature with the member's peg key (peg/evm), logged and synced
// before it is returned; the same id again gives the logged bytes, a different digest for a logged id is refused
// (SIGNER_EVM_LOGGED_DIGEST_DIFFERS) — a signer never holds two signatures for one withdrawal.
import { fail } from '../../../spv/base/errors.js'
import { hexToBytes, toHex } from '../../../spv/base/bytes.js'
import { signWithdrawalDigest, type Withdrawal } from '../../../peg/evm/index.js'
import { tokenKeyOf } from './config.js'
import type { EvmSigningLog } from './signing-log.js'

export async function signWithdrawalOnce(log: EvmSigningLog, w: Withdrawal, digest: Uint8Array, privateKey: Uint8Array, now: number): Promise<Uint8Array> {
  const prev = await log.signed(w.id)
  if (prev !== undefined) {
    if (prev.digest !== toHex(digest)) fail('SIGNER_EVM_LOGGED_DIGEST_DIFFERS', `withdrawal ${w.id} is logged signed with digest ${prev.digest}, asked now to sign ${toHex(digest)}`)
    return hexToBytes(prev.signature, 'logged signature', 65)
  }
  const signature = signWithdrawalDigest(digest, privateKey)
  await log.recordSigned({ id: w.id.toString(), token: tokenKeyOf(w.token), amount: w.amount.toString(), digest: toHex(digest), signature: toHex(signature), at: now, submitted: false })
  return signature
}
