// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MiniToken} from "./MiniToken.sol";

/// An ERC-20 without name(), symbol() or decimals(): the vault reports "", "" and 18.
contract NoMetadataToken is MiniToken {
    constructor(uint256 supply) MiniToken(supply) {}
}
