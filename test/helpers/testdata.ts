// Paths to the real Bitcoin mainnet vectors in ../shared/testdata (see its README.md for their source).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const bitcoinTestdata = path.resolve(projectRoot, '../shared/testdata/bitcoin')

export function readTestdata(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(bitcoinTestdata, name)))
}

export const MAINNET_HEADERS_FILE = 'mainnet-headers-822528-830592.bin'
export const MAINNET_HEADERS_START = 822_528

export interface PeriodEdge {
  readonly height: number
  readonly header: string
  readonly chainwork: string
}

export function readPeriodEdges(): PeriodEdge[] {
  const json = JSON.parse(readFileSync(path.join(bitcoinTestdata, 'mainnet-period-edges-0-419327.json'), 'utf8')) as { edges: PeriodEdge[] }
  return json.edges
}
