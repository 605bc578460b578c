// spv/, peg/ and the typed bridge client (client/) are pure enough for a browser: every one of their files bundles with esbuild for the browser
// platform with no Node built-in reached (the build fails naming the importer if one is), and the bundle, loaded in
// headless Chromium, verifies real mainnet headers and a real gettxoutproof proof and derives a federation address
// with the answers Node gives. Chromium is Debian's (/usr/bin/chromium, installed by .ci/run); without it this test
// fails, it does not skip. The page talks to a loopback server of this test, so no browser driver is needed.
import { spawn } from 'node:child_process'
import { hash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { build, type BuildOptions, type Plugin } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import { stopChild } from '../../../regtest/world/process.js'
import { MAINNET_HEADERS_FILE, MAINNET_HEADERS_START, projectRoot, readTestdata } from '../../helpers/testdata.js'
import { addressNetworkFor, createFederation, federationAddress } from '../../../peg/bitcoin/index.js'
import { hexToBytes } from '../../../spv/base/bytes.js'
import { mainnet } from '../../../spv/bitcoin/networks.js'
import type { PageAnswer, PageInput } from './pure-bundle.entry.js'
import { Interface, type InterfaceAbi } from 'ethers'
import { btcBridgeAbi } from '../../../peg/bitcoin/btc-bridge-abi.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const PAGE_TIMEOUT_MS = 60_000

const builtins = new Set(builtinModules)

/** Fails the build on any import of a Node built-in (`node:x`, `fs`, `fs/promises`…), naming the importer. */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.startsWith('node:') ? args.path.slice(5) : args.path
      if (!args.path.startsWith('node:') && !builtins.has(bare.split('/')[0]!)) return undefined
      return { errors: [{ text: `Node built-in "${args.path}" imported by ${path.relative(projectRoot, args.importer)}` }] }
    })
  },
}

/**
 * tiny-secp256k1's browser build imports its WebAssembly as an ES module (`import * as wasm from
 * "./secp256k1.wasm"`), which browsers do not load yet and esbuild does not bundle; like webpack's
 * asyncWebAssembly, the module is compiled asynchronously (a browser refuses to compile a large module
 * synchronously on its main thread) with the two modules it imports.
 */
const tinySecp256k1Wasm: Plugin = {
  name: 'tiny-secp256k1-wasm',
  setup(b) {
    b.onLoad({ filter: /tiny-secp256k1[\\/]lib[\\/]wasm_loader\.browser\.js$/ }, (args) => ({
      resolveDir: path.dirname(args.path),
      loader: 'js',
      contents: [
        "import * as rand from './rand.browser.js'",
        "import * as validate_error from './validate_error.js'",
        "import binary from './secp256k1.wasm'",
        "const { instance } = await WebAssembly.instantiate(binary, { './rand.js': rand, './validate_error.js': validate_error })",
        'export default instance.exports',
      ].join('\n'),
    }))
  },
}

const browserOptions = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  write: false,
  logLevel: 'silent',
  loader: { '.wasm': 'binary' },
  plugins: [noNodeBuiltins, tinySecp256k1Wasm],
} satisfies BuildOptions

function sourcesUnder(dir: string): string[] {
  return readdirSync(path.join(projectRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name))
}

/** Runs `build`, returning its error texts instead of throwing. */
async function buildErrors(options: BuildOptions): Promise<string[]> {
  try {
    await build(options)
    return []
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string } | null }[] }).errors
    if (errors === undefined) throw e
    return errors.map((x) => (x.location ? `${x.location.file}: ${x.text}` : x.text))
  }
}

const sha256d = (b: Uint8Array) => hash('sha256', hash('sha256', b, 'buffer'), 'buffer')
const displayHex = (internal: Uint8Array) => Buffer.from(internal).reverse().toString('hex')

/** The page, the bundle and the input on loopback; resolves with what the page posts to /result. */
async function serve(bundle: string, input: PageInput): Promise<{ server: Server; url: string; answer: Promise<PageAnswer> }> {
  let deliver!: (a: PageAnswer) => void
  const answer = new Promise<PageAnswer>((resolve) => (deliver = resolve))
  // Errors before the module runs (a bundle that does not parse or whose WebAssembly fails) are posted as well.
  const html = `<!doctype html><meta charset="utf-8"><title>spv+peg</title><script>
const post = (error) => fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(error) }) })
addEventListener('error', (e) => post(e.error ? e.error.stack || e.error : e.message))
addEventListener('unhandledrejection', (e) => post(e.reason && e.reason.stack ? e.reason.stack : e.reason))
</script><script type="module" src="/bundle.js"></script>`
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        res.end('ok')
        deliver(JSON.parse(body) as PageAnswer)
      })
      return
    }
    const page: Record<string, [string, string]> = {
      '/': ['text/html', html],
      '/bundle.js': ['text/javascript', bundle],
      '/input': ['application/json', JSON.stringify(input)],
    }
    const found = page[req.url ?? '']
    res.writeHead(found ? 200 : 404, { 'content-type': found?.[0] ?? 'text/plain' })
    res.end(found?.[1] ?? 'not found')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, answer }
}

const cleanups: (() => Promise<void> | void)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

describe('spv/ and peg/ in a browser', () => {
  it('every file of spv/ and peg/ bundles for the browser platform without a Node built-in', async () => {
    const entryPoints = [...sourcesUnder('spv'), ...sourcesUnder('peg'), ...sourcesUnder('client')]
    expect(entryPoints.length).toBeGreaterThan(40)
    const errors = await buildErrors({ ...browserOptions, entryPoints, outdir: path.join(tmpdir(), 'causeway-pure-bundle') })
    expect(errors).toEqual([])
  })

  it('the check catches a Node built-in (planted)', async () => {
    const errors = await buildErrors({
      ...browserOptions,
      stdin: { contents: "import { hash } from 'node:crypto'\nimport { readFileSync } from 'fs'\nconsole.log(hash, readFileSync)", resolveDir: projectRoot, sourcefile: 'planted.ts', loader: 'ts' },
    })
    expect(errors.join('\n')).toMatch(/Node built-in "node:crypto"/)
    expect(errors.join('\n')).toMatch(/Node built-in "fs"/)
  })

  it('runs in headless Chromium: real headers, a real gettxoutproof proof and a federation address', async () => {
    // Loud, not skipped: CI installs it (.ci/run), and a developer without it is told how to get it.
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium (as .ci/run does)`)

    const result = await build({ ...browserOptions, entryPoints: [path.join(projectRoot, 'test/integration/browser/pure-bundle.entry.ts')] })
    const bundle = result.outputFiles![0]!.text

    // The first difficulty period and the retarget after it (2,017 headers), and the proof of transaction 1.
    const headers = readTestdata(MAINNET_HEADERS_FILE).subarray(0, 2017 * 80)
    const proof = readTestdata('txoutproof-830000/0830000-1.bin')
    // Compressed G, 2G and 3G: real points on secp256k1.
    const pubkeys = [
      '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
      '02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5',
      '02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9',
    ]
    // The bridge client's answers, encoded here with ethers from the same ABI (an independent coder).
    const abi = new Interface(btcBridgeAbi as unknown as InterfaceAbi)
    const input: PageInput = {
      headers: Buffer.from(headers).toString('hex'),
      startHeight: MAINNET_HEADERS_START,
      proof: Buffer.from(proof).toString('hex'),
      pubkeys,
      reservesSelector: abi.getFunction('getReserves')!.selector,
      reservesResult: abi.encodeFunctionResult('getReserves', [5n, 6n, 7n]),
      revertData: abi.encodeErrorResult('BridgeError', ['BRIDGE_UNKNOWN_REQUEST', 'no peg-out request 5']),
    }

    const { server, url, answer } = await serve(bundle, input)
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const profile = mkdtempSync(path.join(tmpdir(), 'causeway-chromium-'))
    // Chromium's helper processes may still be writing the profile for a moment after the browser process exits.
    cleanups.push(() => rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }))
    const chromium = spawn(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, url], { stdio: ['ignore', 'pipe', 'pipe'] })
    let log = ''
    chromium.stdout!.on('data', (d: Buffer) => (log += d.toString()))
    chromium.stderr!.on('data', (d: Buffer) => (log += d.toString()))
    cleanups.push(() => stopChild(chromium, 5_000))
    const exited = new Promise<never>((_, reject) => chromium.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before the page answered:\n${log}`))))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from the page within ${PAGE_TIMEOUT_MS} ms:\n${log}`)), PAGE_TIMEOUT_MS)))
    const got = await Promise.race([answer, exited, timeout]).finally(() => clearTimeout(timer))

    // The answers Node gives, the hashes through OpenSSL rather than through spv/.
    expect(got.error).toBeUndefined()
    expect(got.headers).toEqual({ valid: true, count: 2017, tip: displayHex(sha256d(headers.subarray(2016 * 80))) })
    expect(got.proof).toEqual({ blockHash: displayHex(sha256d(proof.subarray(0, 80))), matches: [1] })
    const fed = createFederation(pubkeys.map((k) => hexToBytes(k, 'pubkey', 33)), 2)
    expect(got.federationAddress).toBe(federationAddress(fed, addressNetworkFor(mainnet)))
    expect(got.federationAddress).toMatch(/^bc1q[0-9a-z]{58}$/)
    expect(got.badKeyCode).toBe('PEG_PUBKEY_INVALID')
    expect(got.reserves).toEqual(['5', '6', '7'])
    expect(got.refusalCode).toBe('BRIDGE_UNKNOWN_REQUEST')
  }, 120_000)
})
