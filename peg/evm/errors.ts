// The stable error codes of the EVM peg rules (peg/evm/PROTOCOL.md), in one list so the bridge, the signers and the
// wallet can map them (STYLE.md, "Errors": start with codes). Every failure here is a CausewayError carrying one.
export const EVM_PEG_ERROR_CODES = [
  'EVM_PEG_NOT_DEPOSIT', // a log that is not the vault's Deposit event (another address, another topic, bad layout)
  'EVM_PEG_NOT_WITHDRAWN', // a log that is not the vault's Withdrawn event
  'EVM_PEG_LOG_MALFORMED', // the event's data does not decode as the vault's ABI
  'EVM_PEG_AMOUNT_INVALID', // zero, negative or beyond 2^256 − 1
  'EVM_PEG_ADDRESS_INVALID', // not a 20-byte address, or the zero address where one is required
  'EVM_PEG_CHAIN_ID_INVALID', // a chain id outside [1, 2^64)
  'EVM_PEG_SIGNATURE_MALFORMED', // not 65 bytes r‖s‖v with v 27 or 28, r and s in [1, n)
  'EVM_PEG_SIGNATURE_HIGH_S', // s above n/2 (EIP-2): the malleable twin of a valid signature
  'EVM_PEG_SIGNATURE_UNRECOVERABLE', // no public key recovers from it
] as const

export type EvmPegErrorCode = (typeof EVM_PEG_ERROR_CODES)[number]
