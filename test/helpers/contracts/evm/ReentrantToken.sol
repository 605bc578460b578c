// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// An ERC-20 whose transfers out of the vault call back into it with a prepared call (another or the same
/// withdrawal). The call's outcome is kept (`reentered`, `reentryOk`, `reentryError`) instead of bubbling up, so a
/// test sees both that the outer withdrawal paid and why the inner one was refused.
contract ReentrantToken is ERC20 {
    address public vault;
    bytes public reentryCall;
    bool public reentered;
    bool public reentryOk;
    bytes public reentryError;

    constructor(uint256 supply) ERC20("Reentrant", "REE") {
        _mint(msg.sender, supply);
    }

    /// Arms the callback: the next transfer from `vault_` calls `vault_` with `call_` (once).
    function arm(address vault_, bytes calldata call_) external {
        vault = vault_;
        reentryCall = call_;
        reentered = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == vault && vault != address(0) && !reentered) {
            reentered = true;
            (bool ok, bytes memory ret) = vault.call(reentryCall);
            reentryOk = ok;
            reentryError = ret;
        }
    }
}
