// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A withdrawal recipient whose receive() writes `slots` fresh storage slots (about 22,100 gas each), so a
/// withdrawal submitted with too little gas fails in the inner ETH transfer, not before it.
contract GasHungryRecipient {
    uint256 public immutable slots;
    uint256 public received;
    mapping(uint256 => uint256) private _junk;

    constructor(uint256 slots_) {
        slots = slots_;
    }

    receive() external payable {
        uint256 base = received;
        for (uint256 i = 0; i < slots; i++) _junk[base + i + 1] = 1;
        received = base + slots;
    }
}
