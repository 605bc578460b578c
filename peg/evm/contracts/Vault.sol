// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title The main chain's side of the Causeway EVM peg (peg/evm/PROTOCOL.md, "Main-chain events", "Withdrawals").
/// @notice Locks ETH and ERC-20 tokens against a side-chain recipient (a `Deposit` log the bridge proves), and pays
/// a withdrawal the side chain opened once `threshold` distinct federation members signed it (EIP-712).
/// @dev The reentrancy guard is OpenZeppelin's transient-storage one (EIP-1153): the same guarantee as
/// ReentrancyGuard without two storage writes per call.
contract Vault is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// One withdrawal as the side chain opened it and the members signed it.
    struct Withdrawal {
        uint256 sideChainId;
        uint256 id;
        address token; // address(0) for ETH
        address recipient;
        uint256 amount;
        uint256 epoch;
    }

    bytes32 public constant WITHDRAWAL_TYPEHASH = keccak256(
        "Withdrawal(uint256 sideChainId,uint256 id,address token,address recipient,uint256 amount,uint256 epoch)"
    );
    /// A bound on the federation's size: the duplicate-signer bitmap is one word, and 64 keeps withdrawals cheap.
    uint256 public constant MAX_MEMBERS = 64;
    /// Token names and symbols are cut to this many bytes (PROTOCOL.md).
    uint256 private constant MAX_METADATA_BYTES = 64;
    uint8 private constant DEFAULT_DECIMALS = 18;

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
    event Withdrawn(uint256 indexed id, address indexed token, address indexed recipient, uint256 amount);

    // Construction.
    error NoMembers();
    error TooManyMembers(uint256 count, uint256 max);
    error BadThreshold(uint256 threshold, uint256 members);
    error ZeroMember(uint256 index);
    error DuplicateMember(address member);
    error ZeroSideChainId();
    // Deposits.
    error ZeroAmount();
    error ZeroRecipient();
    error ZeroToken();
    error NotAContract(address token);
    // Withdrawals.
    error WrongSideChain(uint256 expected, uint256 got);
    error WrongEpoch(uint256 expected, uint256 got);
    error AlreadyWithdrawn(uint256 id);
    error NotEnoughSignatures(uint256 got, uint256 needed);
    error SignatureLength(uint256 index, uint256 length);
    error SignatureHighS(uint256 index);
    error SignatureInvalid(uint256 index);
    error NotMember(uint256 index, address signer);
    error DuplicateSigner(uint256 index, address signer);
    error EthTransferFailed(address recipient, uint256 amount);

    /// The side chain whose withdrawals this vault pays (in every signed withdrawal).
    uint256 public immutable sideChainId;

    address[] private _members;
    /// member → its index in `_members` + 1 (0: not a member).
    mapping(address => uint256) private _memberSlot;
    // One slot, read once per withdrawal.
    uint64 private _epoch;
    uint16 private _threshold;
    uint256 private _depositNonce;
    /// Used withdrawal ids, 256 per word: after the first id of a word, marking one costs a non-zero store.
    mapping(uint256 => uint256) private _usedWords;

    constructor(address[] memory members_, uint256 threshold_, uint256 sideChainId_) EIP712("Causeway Vault", "1") {
        uint256 n = members_.length;
        if (n == 0) revert NoMembers();
        if (n > MAX_MEMBERS) revert TooManyMembers(n, MAX_MEMBERS);
        if (threshold_ == 0 || threshold_ > n) revert BadThreshold(threshold_, n);
        if (sideChainId_ == 0) revert ZeroSideChainId();
        for (uint256 i = 0; i < n; i++) {
            address m = members_[i];
            if (m == address(0)) revert ZeroMember(i);
            if (_memberSlot[m] != 0) revert DuplicateMember(m);
            _memberSlot[m] = i + 1;
            _members.push(m);
        }
        _threshold = uint16(threshold_);
        _epoch = 1;
        sideChainId = sideChainId_;
    }

    // ---------------------------------------------------------------- deposits

    /// Locks `msg.value` wei for `recipient` on the side chain.
    function depositEth(address recipient) external payable {
        if (msg.value == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroRecipient();
        uint256 nonce = ++_depositNonce;
        emit Deposit(nonce, address(0), msg.sender, recipient, msg.value, "Ether", "ETH", 18);
    }

    /// Locks `amount` of `token` (approved to this vault) for `recipient`; credits what the vault's balance grew by.
    function depositToken(address token, uint256 amount, address recipient) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroRecipient();
        if (token == address(0)) revert ZeroToken();
        if (token.code.length == 0) revert NotAContract(token);
        IERC20 t = IERC20(token);
        uint256 before = t.balanceOf(address(this));
        t.safeTransferFrom(msg.sender, address(this), amount);
        uint256 credited = t.balanceOf(address(this)) - before;
        if (credited == 0) revert ZeroAmount();
        uint256 nonce = ++_depositNonce;
        emit Deposit(
            nonce,
            token,
            msg.sender,
            recipient,
            credited,
            _readText(token, 0x06fdde03), // name()
            _readText(token, 0x95d89b41), // symbol()
            _readDecimals(token)
        );
    }

    // ------------------------------------------------------------- withdrawals

    /// Pays `w` when `signatures` (65 bytes r‖s‖v each, at least `threshold` of them) are all by distinct members.
    function withdraw(Withdrawal calldata w, bytes[] calldata signatures) external nonReentrant {
        if (w.sideChainId != sideChainId) revert WrongSideChain(sideChainId, w.sideChainId);
        uint256 epoch_ = _epoch;
        if (w.epoch != epoch_) revert WrongEpoch(epoch_, w.epoch);
        uint256 k = _threshold;
        uint256 count = signatures.length;
        if (count < k) revert NotEnoughSignatures(count, k);

        uint256 word = w.id >> 8;
        uint256 bit = 1 << (w.id & 0xff);
        uint256 usedWord = _usedWords[word];
        if (usedWord & bit != 0) revert AlreadyWithdrawn(w.id);

        bytes32 digest = _hashTypedDataV4(_structHash(w));
        uint256 seen; // bit i: member index i signed already
        for (uint256 i = 0; i < count; i++) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) {
                if (err == ECDSA.RecoverError.InvalidSignatureLength) revert SignatureLength(i, signatures[i].length);
                if (err == ECDSA.RecoverError.InvalidSignatureS) revert SignatureHighS(i);
                revert SignatureInvalid(i);
            }
            uint256 slot = _memberSlot[signer];
            if (slot == 0) revert NotMember(i, signer);
            uint256 mask = 1 << (slot - 1);
            if (seen & mask != 0) revert DuplicateSigner(i, signer);
            seen |= mask;
        }

        // Used before any transfer: a reentrant token or recipient sees the id taken.
        _usedWords[word] = usedWord | bit;
        if (w.token == address(0)) {
            address to = w.recipient;
            uint256 amount = w.amount;
            bool ok;
            // No return data copied: a recipient cannot make the vault pay for a huge answer.
            assembly ("memory-safe") {
                ok := call(gas(), to, amount, 0, 0, 0, 0)
            }
            if (!ok) revert EthTransferFailed(to, amount);
        } else {
            IERC20(w.token).safeTransfer(w.recipient, w.amount);
        }
        emit Withdrawn(w.id, w.token, w.recipient, w.amount);
    }

    // ------------------------------------------------------------------- views

    function isMember(address account) external view returns (bool) {
        return _memberSlot[account] != 0;
    }

    function members() external view returns (address[] memory) {
        return _members;
    }

    function threshold() external view returns (uint256) {
        return _threshold;
    }

    function epoch() external view returns (uint256) {
        return _epoch;
    }

    /// Deposits so far; the last Deposit's nonce.
    function depositNonce() external view returns (uint256) {
        return _depositNonce;
    }

    function used(uint256 id) external view returns (bool) {
        return _usedWords[id >> 8] & (1 << (id & 0xff)) != 0;
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// The EIP-712 digest the members sign for `w` (the same value `withdraw` recovers against).
    function withdrawalDigest(Withdrawal calldata w) external view returns (bytes32) {
        return _hashTypedDataV4(_structHash(w));
    }

    // ---------------------------------------------------------------- internal

    function _structHash(Withdrawal calldata w) private pure returns (bytes32) {
        return keccak256(abi.encode(WITHDRAWAL_TYPEHASH, w.sideChainId, w.id, w.token, w.recipient, w.amount, w.epoch));
    }

    /// Calls a no-argument view `selector` on `token` and answers its first `maxWords` return words (fewer when
    /// it answered less), or `ok = false` when it reverted. Only those words are copied, so a huge answer costs the
    /// vault nothing more than the token's own gas.
    function _staticWords(address token, bytes4 selector, uint256 maxWords)
        private
        view
        returns (bool ok, uint256 size, bytes memory head)
    {
        head = new bytes(maxWords * 32);
        assembly ("memory-safe") {
            mstore(0, selector)
            ok := staticcall(gas(), token, 0, 4, 0, 0)
            size := returndatasize()
            let copy := mul(maxWords, 32)
            if lt(size, copy) { copy := size }
            returndatacopy(add(head, 32), 0, copy)
        }
    }

    /// A token's name or symbol per PROTOCOL.md: an ABI string (cut to 64 bytes), or a bytes32 up to its first zero
    /// byte; anything else, or a revert, gives "".
    function _readText(address token, bytes4 selector) private view returns (string memory) {
        // offset word, length word, then at most 64 bytes of text: 4 words.
        (bool ok, uint256 size, bytes memory head) = _staticWords(token, selector, 4);
        if (!ok) return "";
        if (size == 32) {
            bytes32 word;
            assembly ("memory-safe") {
                word := mload(add(head, 32))
            }
            uint256 len = 0;
            while (len < 32 && word[len] != 0) len++;
            bytes memory out = new bytes(len);
            for (uint256 i = 0; i < len; i++) out[i] = word[i];
            return string(out);
        }
        if (size < 64) return "";
        uint256 offset;
        uint256 length;
        assembly ("memory-safe") {
            offset := mload(add(head, 32))
            length := mload(add(head, 64))
        }
        // A well-formed answer is one string: offset 32, its bytes within what was returned.
        if (offset != 32 || length > size - 64) return "";
        if (length > MAX_METADATA_BYTES) length = MAX_METADATA_BYTES;
        bytes memory text = new bytes(length);
        for (uint256 i = 0; i < length; i++) text[i] = head[64 + i];
        return string(text);
    }

    /// A token's decimals per PROTOCOL.md: its answer when it answered one word ≤ 255, 18 otherwise.
    function _readDecimals(address token) private view returns (uint8) {
        (bool ok, uint256 size, bytes memory head) = _staticWords(token, 0x313ce567, 1); // decimals()
        if (!ok || size < 32) return DEFAULT_DECIMALS;
        uint256 value;
        assembly ("memory-safe") {
            value := mload(add(head, 32))
        }
        return value > 255 ? DEFAULT_DECIMALS : uint8(value);
    }
}
