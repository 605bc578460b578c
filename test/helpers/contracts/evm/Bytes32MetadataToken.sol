// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MiniToken} from "./MiniToken.sol";

/// An ERC-20 whose name() and symbol() answer bytes32 (as MKR's do).
contract Bytes32MetadataToken is MiniToken {
    bytes32 public immutable name;
    bytes32 public immutable symbol;
    uint8 public constant decimals = 18;

    constructor(bytes32 name_, bytes32 symbol_, uint256 supply) MiniToken(supply) {
        name = name_;
        symbol = symbol_;
    }
}
