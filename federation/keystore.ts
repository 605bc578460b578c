// A federation member's key at rest: the Ethereum JSON keystore (Web3 Secret Storage v3: scrypt + AES-128-CTR),
// read and written with ethers, so operators can inspect it with the usual tools. The same secp256k1 key is the
// member's Bitcoin peg key (its compressed public key is in the federation script) and its side-chain account
// (which calls the bridge's federation-only methods). The passphrase comes from the environment or a prompt and is
// never logged.
import { readFile, writeFile } from 'node:fs/promises'
import { createInterface } from 'node:readline/promises'
import { Writable } from 'node:stream'
import { Wallet, encryptKeystoreJson, decryptKeystoreJson, computeAddress, SigningKey } from 'ethers'
import { fail } from '../spv/base/errors.js'
import { hexToBytes } from '../spv/base/bytes.js'

export const PASSPHRASE_ENV = 'CAUSEWAY_SIGNER_PASSPHRASE'

export interface MemberKey {
  readonly privateKey: Uint8Array
  /** 33-byte compressed public key (the federation script's key). */
  readonly publicKey: Uint8Array
  /** 0x address of the member's side-chain account. */
  readonly address: string
}

export function memberKeyFrom(privateKeyHex: string): MemberKey {
  const sk = new SigningKey(privateKeyHex)
  return {
    privateKey: hexToBytes(sk.privateKey, 'privateKey', 32),
    publicKey: hexToBytes(sk.compressedPublicKey, 'publicKey', 33),
    address: computeAddress(sk.publicKey),
  }
}

/**
 * Encrypts a key. `light` lowers scrypt's cost (N = 2^14) for throw-away regtest worlds, where a start should not
 * spend seconds per signer; real keystores keep ethers' default (N = 2^17).
 */
export async function writeKeystore(file: string, privateKeyHex: string, passphrase: string, light = false): Promise<void> {
  const { address } = memberKeyFrom(privateKeyHex)
  const json = await encryptKeystoreJson({ address, privateKey: privateKeyHex }, passphrase, light ? { scrypt: { N: 1 << 14 } } : {})
  await writeFile(file, json, { mode: 0o600 })
}

export async function readKeystore(file: string, passphrase: string): Promise<MemberKey> {
  let json: string
  try {
    json = await readFile(file, 'utf8')
  } catch (e) {
    fail('SIGNER_BAD_KEYSTORE', `cannot read keystore ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  try {
    const account = await decryptKeystoreJson(json, passphrase)
    return memberKeyFrom(account.privateKey)
  } catch (e) {
    const msg = (e as Error).message
    if (/password|incorrect/i.test(msg)) fail('SIGNER_BAD_PASSPHRASE', `the passphrase does not open keystore ${file}`)
    fail('SIGNER_BAD_KEYSTORE', `keystore ${file} is not a valid encrypted key: ${msg}`)
  }
}

/**
 * The passphrase from the environment variable `variable` (default the signer's), else asked on the terminal (never
 * echoed to logs). The user CLI passes its own variable (CAUSEWAY_KEYSTORE_PASSPHRASE).
 */
export async function obtainPassphrase(env: NodeJS.ProcessEnv = process.env, variable: string = PASSPHRASE_ENV): Promise<string> {
  const fromEnv = env[variable]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (!process.stdin.isTTY) fail('SIGNER_NO_PASSPHRASE', `set ${variable} or run the command on a terminal to type the keystore passphrase`)
  // Typed characters are not echoed: the terminal output goes through a stream that drops them.
  let muted = false
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stderr.write(chunk)
      callback()
    },
  })
  const rl = createInterface({ input: process.stdin, output, terminal: true })
  try {
    process.stderr.write('keystore passphrase: ')
    muted = true
    return await rl.question('')
  } finally {
    muted = false
    process.stderr.write('\n')
    rl.close()
  }
}

export { Wallet }
