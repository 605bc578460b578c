// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IBridge} from "../IBridge.sol";

/// @title Causeway bridge, its Bitcoin family: the Bitcoin two-way peg, at the bridge's address
/// 0x00000000000000000000000000000000000CA5E0.
/// @notice Amounts on Bitcoin are in satoshis; native amounts in wei (1 satoshi = 10^10 wei). Every step emits an
/// event; every refusal reverts with IBridge's `BridgeError(code, message)`.
interface IBtcBridge is IBridge {

    struct PegOutView {
        address requester;
        bytes btcScript;        // the recipient's Bitcoin output script
        uint256 valueSats;      // the amount burned, in satoshis
        uint256 feeSats;        // its share of the batch's fee (0 until batched)
        uint256 batchId;        // 0 until batched
        uint8 status;           // 0 unknown, 1 queued, 2 batched, 3 signed, 4 confirmed, 5 refunded on the side chain
        uint256 requestedAt;    // side-chain block number
    }

    struct BatchView {
        bytes unsignedTx;
        bytes signedTx;         // empty until `threshold` members signed
        bytes32 txid;           // internal byte order
        uint256 feeSats;
        uint256 firstRequestId;
        uint256 requestCount;
        uint8 status;           // 0 unknown, 2 batched, 3 signed, 4 confirmed
        uint256 createdAt;      // side-chain block number
        uint256 signers;        // bit i set when member i signed
    }

    // ---- events, one per step ----
    event BtcHeadersReceived(bytes32 indexed tip, uint256 height, uint256 connected);
    event DepositAddressRegistered(address indexed recipient, bytes btcScript);
    /// `valueSats` is the output's own value; `amountWei` what was minted (held satoshis of the recipient included).
    /// `depositAddress`: the output pays the recipient's deposit address (else the federation address + memo).
    event PegInMinted(bytes32 indexed txid, uint32 vout, address indexed recipient, uint256 valueSats, uint256 amountWei, bool depositAddress);
    event PegInRefused(bytes32 indexed txid, uint32 vout, address indexed recipient, uint256 valueSats, bool depositAddress, string reason);
    /// A payment to the federation address with no memo that speaks for it (none, malformed, several): nothing is
    /// minted; the output joins the reserves and request `requestId` (requester: the bridge itself, nothing burned)
    /// pays it back on Bitcoin to `refundScript` — the memo's refund script, else the script the first input spent.
    event PegInRefunded(bytes32 indexed txid, uint32 vout, uint256 valueSats, bytes refundScript, uint256 requestId, string reason);
    /// Such a payment when no refund script is known (e.g. a taproot first input) or its value is below the peg-out
    /// minimum: the output joins the reserves and is held for its owner; see `refundHeldPayment`.
    event PegInHeld(bytes32 indexed txid, uint32 vout, uint256 valueSats, string reason);
    /// A held payment refunded through `refundHeldPayment` by request `requestId`.
    event HeldPaymentRefunded(bytes32 indexed txid, uint32 vout, uint256 valueSats, bytes refundScript, uint256 requestId);
    event PegOutRequested(uint256 indexed id, address indexed requester, bytes btcScript, uint256 valueSats);
    event PegOutBatched(uint256 indexed batchId, bytes32 txid, bytes unsignedTx, uint256 feeSats, uint256 feeRate, uint256 firstRequestId, uint256 requestCount);
    /// A consolidation: batch `batchId` joins the federation's first `inputs` UTXOs into one (its PegOutBatched has
    /// requestCount 0). Requests `firstRequestId … +requestCount−1` bear `feeSats` in proportion to their amounts.
    event PegOutConsolidated(uint256 indexed batchId, uint256 firstRequestId, uint256 requestCount, uint256 feeSats, uint256 inputs);
    /// A request that could not pay its fee share: `valueSats` (its value less what it bore of consolidations) went
    /// back to the requester on the side chain as `amountWei`.
    event PegOutRefunded(uint256 indexed id, address indexed requester, uint256 valueSats, uint256 amountWei, string reason);
    event PegOutSignatures(uint256 indexed batchId, address indexed member, uint256 memberIndex);
    event PegOutSigned(uint256 indexed batchId, bytes32 txid, bytes signedTx);
    event PegOutConfirmed(uint256 indexed batchId, bytes32 txid, bytes32 blockHash, uint256 changeSats);
    event FeeRateReported(address indexed member, uint256 satPerVbyte);

    // ---- Bitcoin headers (anyone) ----
    function receiveBtcHeaders(bytes calldata headers) external returns (uint256 connected);
    function getBtcBestBlock() external view returns (bytes32 hash, uint256 height);
    function getBtcConfirmations(bytes32 blockHash) external view returns (int256);
    function getBtcBlockHash(uint256 height) external view returns (bytes32);

    // ---- peg-in (anyone registers; the bridge mints to the recipient) ----
    function getDepositAddress(address recipient) external view returns (string memory);
    /// Records that `recipient`'s deposit address is in use, so a two-argument registration finds its recipient.
    function registerDepositAddress(address recipient) external;
    /// Peg-ins (OP_RETURN form, or deposit addresses registered before) and confirmations of peg-out batches.
    function registerBtcTransaction(bytes calldata rawTx, bytes calldata txOutProof) external;
    /// A peg-in to `recipient`'s deposit address.
    function registerBtcDeposit(bytes calldata rawTx, bytes calldata txOutProof, address recipient) external;
    function isBtcOutpointRegistered(bytes32 txid, uint32 vout) external view returns (bool);
    function getHeldDeposits(address recipient) external view returns (uint256 sats);
    /// Refunds a held payment (PegInHeld) to the output its transaction's first input spent. `fundingTx` is the raw
    /// transaction of that output (it must hash to the outpoint the first input names, so no proof is needed);
    /// anyone may call it, the destination is fixed by Bitcoin. Refuses BRIDGE_NOT_HELD, BRIDGE_FUNDING_TX_MISMATCH,
    /// BRIDGE_REFUND_SCRIPT_UNUSABLE (a non-standard or federation script), BRIDGE_HELD_UNCLAIMABLE (a coinbase),
    /// PEG_BELOW_MINIMUM (below the peg-out minimum: it stays held).
    function refundHeldPayment(bytes32 txid, uint32 vout, bytes calldata fundingTx) external returns (uint256 requestId);
    /// A held payment: its value (0 if none) and the outpoint its first input spends (txid in internal byte order).
    function getHeldPayment(bytes32 txid, uint32 vout) external view returns (uint256 valueSats, bytes32 fundingTxid, uint32 fundingVout);

    // ---- peg-out ----
    /// Refuses PEG_PAYS_FEDERATION for the federation's own address or a registered deposit address.
    function pegOut(string calldata btcAddress) external payable returns (uint256 id);
    function getPegOut(uint256 id) external view returns (PegOutView memory);
    /// The least fee a peg-out pays: alone in a batch spending one UTXO, at the current fee rate.
    function estimatePegOutFee() external view returns (uint256 sats);
    /// The most fee a peg-out of `sats` to `btcAddress` pays at the current fee rate and reserves (its own output,
    /// and inputs in proportion to its amount): it receives at least `sats − fee`.
    function estimatePegOutFeeFor(uint256 sats, string calldata btcAddress) external view returns (uint256 feeSats);
    /// Acts on the due queue (anyone; signers call it): one batch of the longest prefix the reserves cover within the
    /// bridge's input bound, refunding requests that cannot pay their share, or a consolidation first. Refuses with
    /// PEG_BATCH_NOT_DUE, or PEG_BATCH_DEFERRED and the reason when the queue must wait. 0: only refunds were made.
    function flushPegOuts() external returns (uint256 batchId);
    function getBatch(uint256 batchId) external view returns (BatchView memory);
    function getPendingBatches() external view returns (uint256[] memory);

    // ---- federation (the Bitcoin family's part; getFederation and getReserves are in IBridge) ----
    /// Federation members only: one signature per batch input, in input order (see PROTOCOL.md for the bytes).
    function addSignatures(uint256 batchId, bytes calldata signatures) external;
    /// Federation members only: the member's fee-rate estimate; the bridge uses the median, never below its floor.
    function reportFeeRate(uint256 satPerVbyte) external;
    function getFeeRate() external view returns (uint256 satPerVbyte);
    /// The bridge's parameters, as configured at genesis.
    function getBridgeParams() external view returns (
        uint256 confirmations, uint256 minPegInSats, uint256 minPegOutSats, uint256 batchIntervalBlocks, uint256 feeRateFloor, uint256 feeRateCeiling
    );
}
