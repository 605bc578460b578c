// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Emits the very Deposit event of the Vault without locking anything (it refunds the ETH), so the bridge's tests
/// can check that a deposit counts only from the configured vault's address.
contract LookAlikeVault {
    event Deposit(
        uint256 indexed nonce,
        address indexed token,
        address indexed sender,
        address recipient,
        uint256 amount,
        string name,
        string symbol,
        uint8 decimals
    );

    uint256 public depositNonce;

    function depositEth(address recipient) external payable {
        emit Deposit(++depositNonce, address(0), msg.sender, recipient, msg.value, "Ether", "ETH", 18);
        (bool ok,) = msg.sender.call{value: msg.value}("");
        require(ok, "refund");
    }

    /// Any Deposit at all, nothing transferred.
    function fakeDeposit(
        address token,
        address recipient,
        uint256 amount,
        string calldata name,
        string calldata symbol,
        uint8 decimals
    ) external {
        emit Deposit(++depositNonce, token, msg.sender, recipient, amount, name, symbol, decimals);
    }
}
