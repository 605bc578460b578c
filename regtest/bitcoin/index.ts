// Public face of the Bitcoin side of a regtest world: a bcoin child process, its network parameters for
// bitcoinjs-lib and a demo wallet that mines and pays. The RPC client itself lives in federation/bitcoin.
export { bcoinRegtest } from './network.js'
export { startBcoin, bcoinArgs, bcoinEntryPoint, type BcoinOptions, type BcoinProcess } from './bcoin-process.js'
export {
  DemoWallet,
  SEGWIT_HEIGHT,
  COINBASE_MATURITY,
  MAX_OP_RETURN_DATA,
  CHANGE_DUST_SATS,
  DEFAULT_FEE_RATE,
  estimateVsize,
  bip34Height,
  type DemoWalletOptions,
  type WalletUtxo,
  type PaymentOutput,
  type PaymentRequest,
  type SignedPayment,
  type FundResult,
} from './demo-wallet.js'
export { BitcoinRpcClient, type DisplayHashHex, type SendOptions } from '../../federation/bitcoin/index.js'
