// SPDX-License-Identifier: MIT
// A minimal contract for generic deploy / call / event tests: one storage slot, one event per change.
pragma solidity ^0.8.20;

contract Counter {
    uint256 public value;

    event Incremented(uint256 value);

    function increment() external {
        value += 1;
        emit Incremented(value);
    }
}
