// Identities the bridge derives itself (PROTOCOL.md): a deposit's id from where its log was proven — never from the
// proof's encoding, so one log has one id however its proof is re-encoded — and a wrapped token's address from the
// main chain and main token, computable by anyone before the token exists.
import { encodeAbiParameters, encodePacked, keccak256 } from 'viem'
import { hexToBytes, toHex } from '../../spv/base/bytes.js'
import { fail } from '../../spv/base/errors.js'

const UINT64_LIMIT = 1n << 64n
const UINT256_LIMIT = 1n << 256n

/** Refuses a main chain id outside [1, 2^64) (EVM_PEG_CHAIN_ID_INVALID). */
export function checkChainId(chainId: bigint): bigint {
  if (typeof chainId !== 'bigint' || chainId < 1n || chainId >= UINT64_LIMIT) fail('EVM_PEG_CHAIN_ID_INVALID', `chain id must be in [1, 2^64), got ${String(chainId)}`)
  return chainId
}

/** Refuses anything but a 20-byte address, and the zero address unless `zeroAllowed` (EVM_PEG_ADDRESS_INVALID). */
export function checkAddress(address: Uint8Array, what: string, zeroAllowed = false): Uint8Array {
  if (!(address instanceof Uint8Array) || address.length !== 20) fail('EVM_PEG_ADDRESS_INVALID', `${what} must be a 20-byte address`)
  if (!zeroAllowed && address.every((b) => b === 0)) fail('EVM_PEG_ADDRESS_INVALID', `${what} must not be the zero address`)
  return address
}

/** Refuses zero and amounts outside uint256 (EVM_PEG_AMOUNT_INVALID). */
export function checkAmount(amount: bigint, what = 'amount'): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n || amount >= UINT256_LIMIT) fail('EVM_PEG_AMOUNT_INVALID', `${what} must be a positive uint256, got ${String(amount)}`)
  return amount
}

/** keccak256(abi.encode(uint256 mainChainId, address vault, bytes32 blockHash, uint256 txIndex, uint256 logIndex)). */
export function depositId(mainChainId: bigint, vault: Uint8Array, blockHash: Uint8Array, txIndex: number | bigint, logIndex: number | bigint): Uint8Array {
  if (blockHash.length !== 32) fail('EVM_PEG_LOG_MALFORMED', 'a block hash is 32 bytes')
  const encoded = encodeAbiParameters(
    [{ type: 'uint256' }, { type: 'address' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'uint256' }],
    [checkChainId(mainChainId), toHex(checkAddress(vault, 'vault')), toHex(blockHash), BigInt(txIndex), BigInt(logIndex)],
  )
  return hexToBytes(keccak256(encoded), 'deposit id', 32)
}

/** The domain tag of wrapped-token addresses; a new version of the template gets a new tag. */
export const WRAPPED_TOKEN_TAG = 'causeway.wrapped-token.v1'

/** The last 20 bytes of keccak256(abi.encodePacked(WRAPPED_TOKEN_TAG, uint256 mainChainId, address mainToken)). */
export function wrappedTokenAddress(mainChainId: bigint, mainToken: Uint8Array): Uint8Array {
  const packed = encodePacked(['string', 'uint256', 'address'], [WRAPPED_TOKEN_TAG, checkChainId(mainChainId), toHex(checkAddress(mainToken, 'main token', true))])
  return hexToBytes(keccak256(packed), 'hash', 32).slice(12)
}
