// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MiniToken} from "./MiniToken.sol";

/// An ERC-20 whose name() is a 100-byte string (cut to 64 by the vault), whose symbol() answers 64 KiB of
/// return data (the vault copies only what it reads) and whose decimals() answers 256 (the vault reports 18).
contract HugeMetadataToken is MiniToken {
    constructor(uint256 supply) MiniToken(supply) {}

    function name() external pure returns (string memory) {
        return "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";
    }

    function symbol() external pure returns (string memory) {
        assembly {
            mstore(0, 0x20)
            mstore(0x20, 3)
            mstore(0x40, "BIG")
            return(0, 65536)
        }
    }

    function decimals() external pure returns (uint256) {
        return 256;
    }
}
