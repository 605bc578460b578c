// `causeway evm …` refuses bad arguments with a coded error before it connects to anything (the world directory
// here does not exist and no node is listening: a refusal that got that far would be WORLD_NOT_FOUND instead).
import { describe, expect, it } from 'vitest'
import { main } from '../../../cli/main.js'

const NO_WORLD = ['--world', '/nonexistent/causeway-world']
const TOKEN = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const ZERO = '0x0000000000000000000000000000000000000000'

async function run(args: readonly string[]): Promise<{ code: number; json: Record<string, any>; err: string }> {
  let out = ''
  let err = ''
  const code = await main([...args, '--json'], { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, json: JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, any>, err }
}

describe('causeway evm: bad input is a coded error, nothing sent', () => {
  it.each([
    [['evm', 'deposit', 'eth', '0,5'], 'CLI_BAD_AMOUNT'],
    [['evm', 'deposit', 'eth', '1e-3'], 'CLI_BAD_AMOUNT'],
    [['evm', 'deposit', 'eth', '-1'], 'CLI_BAD_AMOUNT'],
    [['evm', 'deposit', 'btc', '1'], 'CLI_BAD_TOKEN'],
    [['evm', 'deposit', ZERO, '1'], 'CLI_BAD_TOKEN'],
    [['evm', 'deposit', 'eth', '1', '--recipient', ZERO], 'CLI_ZERO_RECIPIENT'],
    [['evm', 'deposit', 'eth', '1', '--recipient', '0x12'], 'CLI_BAD_ADDRESS'],
    [['evm', 'withdraw', TOKEN, '1', ZERO], 'CLI_ZERO_RECIPIENT'],
    [['evm', 'withdraw', TOKEN, '1,5', TOKEN], 'CLI_BAD_AMOUNT'],
    [['evm', 'withdraw', '0x1234', '1', TOKEN], 'CLI_BAD_ADDRESS'],
    [['evm', 'status', 'nonsense'], 'CLI_BAD_STATUS_TARGET'],
    [['evm', 'status', '0'], 'CLI_BAD_WITHDRAWAL_ID'],
    [['evm', 'register', '0x1234'], 'CLI_BAD_TX_HASH'],
  ])('%j → %s', async (args, code) => {
    const r = await run([...args, ...NO_WORLD])
    expect(r.code).toBe(1)
    expect(r.json.error.code).toBe(code)
    expect(r.err).toContain(`[${code}]`)
  })

  it('zero is refused once the token is known; without a world that is WORLD_NOT_FOUND, not a crash', async () => {
    const r = await run(['evm', 'deposit', 'eth', '0', ...NO_WORLD])
    expect(r.code).toBe(1)
    expect(r.json.error.code).toBe('WORLD_NOT_FOUND')
  })

  it('a deposit status needs a main-chain node: none named is CLI_NO_MAIN_RPC, an unreachable one CLI_MAIN_UNREACHABLE naming its URL', async () => {
    const hash = `0x${'ab'.repeat(32)}`
    const none = await run(['evm', 'status', hash, '--rpc', 'http://127.0.0.1:1/', ...NO_WORLD])
    expect(none.json.error.code).toBe('CLI_NO_MAIN_RPC')
    const down = await run(['evm', 'status', hash, '--rpc', 'http://127.0.0.1:1/', '--main-rpc', 'http://127.0.0.1:1/', ...NO_WORLD])
    expect(down.code).toBe(1)
    expect(down.json.error.code).toBe('CLI_MAIN_UNREACHABLE')
    expect(down.json.error.message).toContain('127.0.0.1:1')
  })

  it('a missing argument is a usage error (exit 2)', async () => {
    const r = await run(['evm', 'withdraw', TOKEN, '1'])
    expect(r.code).toBe(2)
    expect(r.json.error.code).toBe('CLI_USAGE')
  })

  it.each(['evm', 'evm deposit', 'evm status', 'evm withdraw', 'evm register'])('causeway %s --help', async (command) => {
    let out = ''
    const code = await main([...command.split(' '), '--help'], { out: (t) => (out += t), err: () => {} })
    expect(code).toBe(0)
    expect(out).toContain(`Usage: causeway ${command}`)
  })
})
