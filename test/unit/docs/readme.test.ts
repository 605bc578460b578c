// README.md's code blocks are checked against the real program: every `npx causeway …` line names a command that
// exists with options it has and no more arguments than it takes, every `npm …` line a script package.json has,
// every Solidity block compiles against the bridge interfaces (peg/IBridge.sol, peg/bitcoin/IBtcBridge.sol), and the signer configuration parses. (The walkthrough block is
// also run against a real world in test/integration/regtest/world.test.ts.)
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { buildProgram } from '../../../cli/main.js'
import { parseSignerConfig } from '../../../federation/signer/config.js'
import { compileSolidity } from '../../../regtest/solidity/compile.js'
import { readmeBlocks, shellCommands, words } from '../../helpers/readme.js'
import { projectRoot } from '../../helpers/testdata.js'

const program = await buildProgram({ out: () => {}, err: () => {} }, () => {})
const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }

/** Checks one `causeway` command line against commander's definitions; returns the problems found. */
function checkCausewayLine(args: string[]): string[] {
  let cmd: Command = program
  let i = 0
  while (i < args.length && !args[i]!.startsWith('-')) {
    const sub = cmd.commands.find((c) => c.name() === args[i])
    if (sub === undefined) break
    cmd = sub
    i++
  }
  if (cmd === program) return [`no command ${args[0]}`]
  const problems: string[] = []
  const positional: string[] = []
  const options = [...cmd.options, ...program.options]
  for (; i < args.length; i++) {
    const a = args[i]!
    if (a === '--') break
    if (!a.startsWith('-')) {
      positional.push(a)
      continue
    }
    const name = a.split('=')[0]!
    const opt = options.find((o) => o.long === name || o.short === name)
    if (opt === undefined) {
      problems.push(`${cmd.name()}: no option ${name}`)
      continue
    }
    if ((opt.required || opt.optional) && !a.includes('=')) i++ // its value
  }
  const declared = cmd.registeredArguments
  const variadic = declared.some((d) => d.variadic)
  if (!variadic && positional.length > declared.length) problems.push(`${cmd.name()}: ${positional.length} arguments, takes ${declared.length}`)
  const required = declared.filter((d) => d.required).length
  if (positional.length < required) problems.push(`${cmd.name()}: ${positional.length} arguments, needs ${required}`)
  return problems
}

describe('README.md code blocks', () => {
  const blocks = readmeBlocks()

  it('has the blocks this test checks', () => {
    expect(blocks.filter((b) => b.lang === 'sh').length).toBeGreaterThanOrEqual(6)
    expect(blocks.some((b) => b.lang === 'solidity')).toBe(true)
  })

  it('every `npx causeway` line is a real command with real options and the right number of arguments', () => {
    const problems: string[] = []
    let checked = 0
    for (const b of blocks.filter((x) => x.lang === 'sh')) {
      for (const line of shellCommands(b)) {
        for (const part of line.split('&&').map((p) => p.trim())) {
          // README notation: <placeholder words> are one argument, [optional parts] are written as if given.
          const w = words(part.replace(/<[^>]*>/g, 'X').replace(/[[\]]/g, ''))
          if (w[0] === 'npx' && w[1] === 'causeway') {
            checked++
            problems.push(...checkCausewayLine(w.slice(2)).map((p) => `${part}: ${p}`))
          }
          if (w[0] === 'npm') {
            const script = w[1] === 'run' ? w[2]! : w[1]!
            if (!['ci', 'install', 'run'].includes(w[1]!) && !(script in pkg.scripts)) problems.push(`${part}: no npm script ${script}`)
            if (w[1] === 'run' && !(script in pkg.scripts)) problems.push(`${part}: no npm script ${script}`)
          }
        }
      }
    }
    expect(problems).toEqual([])
    expect(checked).toBeGreaterThanOrEqual(15)
  })

  it('the checker catches a stale line (it can fail)', () => {
    expect(checkCausewayLine(['pegout', 'rb1q…', '0.2', '--no-such-flag'])).toEqual(['pegout: no option --no-such-flag'])
    expect(checkCausewayLine(['pegin', 'adress', '0x00'])).toEqual(['pegin: 2 arguments, takes 0'])
    expect(checkCausewayLine(['pegin', 'address'])).toEqual(['address: 0 arguments, needs 1'])
    expect(checkCausewayLine(['nothing'])).toEqual(['no command nothing'])
  })

  it('every Solidity block compiles against the bridge interfaces under peg/', () => {
    for (const b of blocks.filter((x) => x.lang === 'solidity')) {
      const out = compileSolidity({ 'Readme.sol': b.text }, { importRoots: [path.join(projectRoot, 'peg')] })
      expect(Object.keys(out.contracts).length).toBeGreaterThan(0)
    }
  })

  it('the signer configuration example parses with the signer\'s own schema', () => {
    const json = blocks.filter((b) => b.lang === 'json').find((b) => b.text.includes('"keystore"'))!
    const config = parseSignerConfig(JSON.parse(json.text), projectRoot)
    expect(config.policy.maxPerTxSats).toBe(100_000_000n)
  })
})
