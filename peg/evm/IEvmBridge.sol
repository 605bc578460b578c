// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IBridge} from "../IBridge.sol";

/// @title Causeway bridge, its EVM family: the two-way peg to EVM main chains (ETH and ERC-20 tokens locked in a
/// vault there, peg/evm/contracts/Vault.sol), at the bridge's address 0x00000000000000000000000000000000000CA5E0.
/// @notice See peg/evm/PROTOCOL.md. Amounts are in the main token's own units (a wrapped token has the main token's
/// decimals; ETH in wei). Every step emits an event; every refusal reverts with IBridge's `BridgeError(code, message)`.
interface IEvmBridge is IBridge {

    struct EvmHeaderView {
        bytes32 parentHash;
        uint256 number;
        bytes32 receiptsRoot;
        uint256 timestamp;
        uint256 attesters;      // bit i set when member i attests this header now
        uint256 attestations;   // how many members attest it now
        bool accepted;          // at least `threshold` attest it and no other header at its height is attested
    }

    struct EvmWithdrawalView {
        address requester;      // the side-chain account whose wrapped tokens were burned
        uint256 mainChainId;
        address mainToken;      // address(0) for ETH
        address wrappedToken;
        address mainRecipient;
        uint256 amount;         // in the main token's units
        uint256 epoch;          // the federation epoch the vault checks
        bytes32 digest;         // the EIP-712 digest of the Withdrawal the members sign (PROTOCOL.md)
        uint256 signers;        // bit i set when member i signed
        uint256 signatureCount;
        uint8 status;           // 0 unknown, 1 requested (collecting signatures), 2 signed (threshold reached), 3 paid
        uint256 requestedAt;    // side-chain block number
    }

    // ---- events, one per step ----
    event EvmHeaderAttested(uint256 indexed mainChainId, bytes32 indexed blockHash, address indexed member, uint256 number, uint256 attestations);
    event EvmHeaderAccepted(uint256 indexed mainChainId, bytes32 indexed blockHash, uint256 number);
    /// Two different headers are attested at one height: neither counts until the members' attestations agree again.
    event EvmHeaderConflict(uint256 indexed mainChainId, uint256 indexed number, bytes32 firstHash, bytes32 secondHash);
    event WrappedTokenCreated(uint256 indexed mainChainId, address indexed mainToken, address indexed wrappedToken, string name, string symbol, uint8 decimals);
    event EvmDepositMinted(bytes32 indexed depositId, uint256 indexed mainChainId, address indexed recipient, address wrappedToken, uint256 amount, uint256 depositNonce);
    event EvmWithdrawalRequested(uint256 indexed id, address indexed requester, address indexed wrappedToken, uint256 mainChainId, address mainToken, address mainRecipient, uint256 amount, uint256 epoch, bytes32 digest);
    event EvmWithdrawalSigned(uint256 indexed id, address indexed member, uint256 signatureCount, bool complete);
    event EvmWithdrawalPaid(uint256 indexed id, bytes32 mainBlockHash, uint256 txIndex);

    // ---- main-chain headers (federation members attest; a header counts once `threshold` of them do) ----
    function attestEvmHeader(uint256 mainChainId, bytes calldata rlpHeader) external;
    function getEvmHeader(uint256 mainChainId, bytes32 blockHash) external view returns (EvmHeaderView memory);
    /// The accepted header of the greatest number (zero hash and 0 when none is accepted yet).
    function getEvmBestBlock(uint256 mainChainId) external view returns (bytes32 blockHash, uint256 number);

    // ---- peg-in (anyone registers the vault's Deposit log; the bridge mints the wrapped token) ----
    /// `logIndex` is the log's position within its receipt's logs (not the block-wide index of JSON-RPC).
    function registerEvmDeposit(uint256 mainChainId, bytes calldata rlpHeader, uint256 txIndex, bytes[] calldata receiptProof, uint256 logIndex) external returns (bytes32 depositId);
    function isEvmDepositRegistered(bytes32 depositId) external view returns (bool);
    /// The wrapped token's address, computable before it exists (PROTOCOL.md); `exists` once a deposit created it.
    function getWrappedToken(uint256 mainChainId, address mainToken) external view returns (address wrappedToken, bool exists);
    /// Every wrapped token created so far, in creation order, `count` of them from `start`.
    function getWrappedTokens(uint256 start, uint256 count) external view returns (address[] memory tokens, uint256 total);

    // ---- peg-out ----
    /// Burns `amount` of the caller's `wrappedToken` and opens withdrawal `id` to `mainRecipient` on its main chain.
    function pegOutToken(address wrappedToken, uint256 amount, address mainRecipient) external returns (uint256 id);
    function getEvmWithdrawal(uint256 id) external view returns (EvmWithdrawalView memory);
    /// The members' signatures so far (65 bytes r‖s‖v each), in member order: what the vault's `withdraw` takes.
    function getEvmWithdrawalSignatures(uint256 id) external view returns (bytes[] memory signatures);
    /// Federation members only: the caller's own EIP-712 signature of withdrawal `id`'s digest (low s, v 27/28).
    function addEvmWithdrawalSignature(uint256 id, bytes calldata signature) external;
    /// Anyone: a receipt proof of the vault's `Withdrawn` log closes the withdrawal it names.
    function registerEvmWithdrawal(uint256 mainChainId, bytes calldata rlpHeader, uint256 txIndex, bytes[] calldata receiptProof, uint256 logIndex) external;

    // ---- reserves and parameters ----
    /// `locked`: main-chain units proven deposited less proven paid out; `supply`: the wrapped token's total supply;
    /// `pending`: burned and not yet proven paid. The bridge keeps locked = supply + pending.
    function getEvmReserves(address wrappedToken) external view returns (uint256 locked, uint256 supply, uint256 pending);
    /// The main chains this bridge serves: their chain ids and vault addresses, and the federation epoch.
    function getEvmChains() external view returns (uint256[] memory chainIds, address[] memory vaults, uint256 epoch);
}
