// SPDX-License-Identifier: MIT
// An OpenZeppelin ERC-20 for tests of the side chain and the EVM main chain: an initial supply minted to the
// deployer, and functions that revert with a reason string or a custom error, to check how reverts are decoded.
pragma solidity ^0.8.20;

import "@openzeppelin/contracts/token/ERC20/ERC20.sol";

contract TestToken is ERC20 {
    error Nope(uint256 code);

    constructor(uint256 initialSupply) ERC20("Test Token", "TEST") {
        _mint(msg.sender, initialSupply);
    }

    /// Always reverts with `Error(string)` carrying `reason`.
    function failWith(string calldata reason) external pure {
        revert(reason);
    }

    /// Always reverts with the custom error `Nope(code)`.
    function failCustom(uint256 code) external pure {
        revert Nope(code);
    }
}
