// README.md's fenced code blocks, for the tests that check or run them (so the README cannot go stale).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { projectRoot } from './testdata.js'

export interface CodeBlock {
  readonly lang: string
  readonly text: string
  /** The `## ` section the block is in. */
  readonly section: string
}

export function readmeBlocks(): CodeBlock[] {
  const text = readFileSync(path.join(projectRoot, 'README.md'), 'utf8')
  const blocks: CodeBlock[] = []
  let section = ''
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.startsWith('## ')) section = line.slice(3).trim()
    const open = /^```(\w*)\s*$/.exec(line)
    if (open === null) continue
    const body: string[] = []
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!)
    blocks.push({ lang: open[1]!, text: body.join('\n'), section })
  }
  return blocks
}

/** The command lines of a shell block: comments removed, continuation lines joined. */
export function shellCommands(block: CodeBlock): string[] {
  const joined = block.text.replace(/\\\n\s*/g, ' ')
  return joined
    .split('\n')
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

/** Splits a command line into words (no quoting is used in the README's commands). */
export const words = (line: string): string[] => line.split(/\s+/).filter((w) => w !== '')
