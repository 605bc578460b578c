// The one table from CausewayError codes to EIP-1474 numbers, and revert data decoded as geth words it
// (Error(string) reasons, Panic codes; custom errors left to the caller's ABI).
import { AbiCoder } from 'ethers'
import { describe, expect, it } from 'vitest'
import { CausewayError } from '../../../../spv/base/errors.js'
import { hexToBytes } from '../../../../spv/base/bytes.js'
import { decodeRevertReason, revertMessage, rpcCodeFor, toRpcError } from '../../../../sidechain/rpc/errors.js'

const abi = AbiCoder.defaultAbiCoder()
const errorString = (s: string): Uint8Array => hexToBytes('0x08c379a0' + abi.encode(['string'], [s]).slice(2))
const panic = (code: number): Uint8Array => hexToBytes('0x4e487b71' + abi.encode(['uint256'], [code]).slice(2))

describe('code table', () => {
  it.each([
    ['RPC_PARSE_ERROR', -32700],
    ['RPC_INVALID_REQUEST', -32600],
    ['RPC_METHOD_NOT_FOUND', -32601],
    ['RPC_NOTIFICATIONS_UNSUPPORTED', -32601],
    ['RPC_INVALID_PARAMS', -32602],
    ['BAD_HEX', -32602],
    ['RPC_INTERNAL', -32603],
    ['MEMPOOL_NONCE_TOO_LOW', -32000],
    ['MEMPOOL_INSUFFICIENT_FUNDS', -32000],
    ['MEMPOOL_ALREADY_KNOWN', -32000],
    ['EXEC_OUT_OF_GAS', -32000],
    ['RPC_FILTER_NOT_FOUND', -32000],
    ['PEG_SOMETHING_NEW', -32000],
    ['RPC_UNKNOWN_BLOCK', -32001],
    ['RPC_UNSUPPORTED', -32004],
    ['RPC_LIMIT_EXCEEDED', -32005],
    ['EXEC_REVERTED', 3],
  ])('%s → %i', (code, rpc) => {
    expect(rpcCodeFor(code).rpc).toBe(rpc)
  })

  it('keeps the node message for refusals and hides internal failures', () => {
    expect(toRpcError(new CausewayError('MEMPOOL_NONCE_TOO_LOW', 'nonce too low'))).toEqual({
      error: { code: -32000, message: 'nonce too low' },
      internal: false,
    })
    expect(toRpcError(new RangeError('index out of range'))).toEqual({
      error: { code: -32603, message: 'internal error' },
      internal: true,
    })
    expect(toRpcError(new CausewayError('STORE_CORRUPT', 'bad record at key 0x01'))).toEqual({
      error: { code: -32603, message: 'internal error' },
      internal: true,
    })
  })

  it('turns EXEC_REVERTED into code 3 with the revert data, from hex or bytes', () => {
    const data = errorString('not owner')
    const fromHex = new CausewayError('EXEC_REVERTED', 'x', { details: { data: '0x' + Buffer.from(data).toString('hex') } })
    const fromBytes = new CausewayError('EXEC_REVERTED', 'x', { details: { data } })
    for (const e of [fromHex, fromBytes]) {
      expect(toRpcError(e).error).toEqual({
        code: 3,
        message: 'execution reverted: not owner',
        data: '0x' + Buffer.from(data).toString('hex'),
      })
    }
    expect(toRpcError(new CausewayError('EXEC_REVERTED', 'x')).error).toEqual({ code: 3, message: 'execution reverted', data: '0x' })
  })
})

describe('revert reasons', () => {
  it('decodes Error(string), including non-ASCII text', () => {
    expect(decodeRevertReason(errorString('boom'))).toBe('boom')
    expect(decodeRevertReason(errorString(''))).toBe('')
    expect(revertMessage(errorString('€ too low'))).toBe('execution reverted: € too low')
  })

  it('words Panic codes as geth does', () => {
    expect(decodeRevertReason(panic(0x11))).toBe('arithmetic underflow or overflow')
    expect(decodeRevertReason(panic(0x99))).toBe('unknown panic code: 0x99')
  })

  it('leaves custom errors and malformed data undecoded', () => {
    expect(revertMessage(new Uint8Array())).toBe('execution reverted')
    expect(decodeRevertReason(hexToBytes('0xdeadbeef' + '00'.repeat(32)))).toBeUndefined()
    const truncated = errorString('a longer reason than fits').subarray(0, 4 + 64 + 8)
    expect(decodeRevertReason(truncated)).toBeUndefined()
    const hugeOffset = errorString('x')
    hugeOffset[4 + 31] = 0xff
    expect(decodeRevertReason(hugeOffset)).toBeUndefined()
  })
})
