// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title A main-chain token on the Causeway side chain (peg/evm/PROTOCOL.md, "Wrapped tokens").
/// @notice A standard ERC-20 with EIP-2612 permit that only the bridge mints and burns. The bridge places this
/// runtime at an address derived from (main chain id, main token) without running a constructor, and writes its
/// fields as storage: so the contract has no immutables, and its EIP-712 domain is computed from storage on each use.
contract WrappedToken is ERC20, IERC20Permit, Nonces {
    /// The bridge precompile: the only account that may mint and burn.
    address public constant BRIDGE = 0x00000000000000000000000000000000000CA5E0;

    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    /// Written by the bridge when it creates the token.
    uint256 public mainChainId;
    address public mainToken;
    uint8 private _decimals;

    error WrappedTokenOnlyBridge(address caller);
    error WrappedTokenPermitExpired(uint256 deadline);
    error WrappedTokenPermitSigner(address signer, address owner);

    constructor() ERC20("", "") {}

    modifier onlyBridge() {
        if (msg.sender != BRIDGE) revert WrappedTokenOnlyBridge(msg.sender);
        _;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external onlyBridge {
        _mint(to, amount);
    }

    function burn(address from, uint256 amount) external onlyBridge {
        _burn(from, amount);
    }

    // ---- EIP-2612 ----
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name())), keccak256("1"), block.chainid, address(this)));
    }

    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        if (block.timestamp > deadline) revert WrappedTokenPermitExpired(deadline);
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR(), structHash));
        address signer = ECDSA.recover(digest, v, r, s);
        if (signer != owner) revert WrappedTokenPermitSigner(signer, owner);
        _approve(owner, spender, value);
    }

    function nonces(address owner) public view override(IERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
