// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Causeway bridge: what every bridge has, whatever main-chain families it serves (Bitcoin:
/// bitcoin/IBtcBridge.sol). A precompile at 0x00000000000000000000000000000000000CA5E0.
/// @notice Contracts and wallets call it like any contract. Its state lives in its own account storage.
/// Every refusal reverts with `BridgeError(code, message)`: the code is stable, the message is for people.
interface IBridge {
    error BridgeError(string code, string message);

    // ---- federation ----
    function getFederation() external view returns (
        bytes[] memory pubkeys, uint256 threshold, string memory btcAddress, string memory descriptor, address[] memory members
    );
    function getReserves() external view returns (uint256 federationSats, uint256 nativeSupplyWei, uint256 pendingPegOutSats);
}
