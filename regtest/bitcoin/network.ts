// bitcoinjs-lib network parameters for bcoin's regtest. bcoin 1.0.2 does not use Bitcoin Core's regtest address
// prefixes: its bech32 prefix is `rb` (Core: `bcrt`) and its base58 and key prefixes differ too (bcoin's
// lib/protocol/networks.js, `regtest.addressPrefix` and `regtest.keyPrefix`). Built from Core's regtest entry
// in spv/bitcoin/networks.ts so that only what bcoin changes is written here.
import type { Network } from 'bitcoinjs-lib'
import { regtest } from '../../spv/bitcoin/networks.js'

export const bcoinRegtest: Network = Object.freeze({
  ...regtest.addresses,
  bech32: 'rb',
  pubKeyHash: 0x3c, // Core: 0x6f
  scriptHash: 0x26, // Core: 0xc4
  wif: 0x5a, // Core: 0xef
  bip32: Object.freeze({ public: 0xeab4fa05, private: 0xeab404c7 }), // "rpub"/"rprv"; Core uses tpub/tprv
})
