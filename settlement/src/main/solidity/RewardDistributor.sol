// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @notice The part of JobEscrow a distributor draws on.
interface IJobEscrowDraw {
    function token() external view returns (IERC20);
    function releaseTo(bytes32 jobId, address recipient, uint256 amount) external;
}

/// @title Merkle reward distributor: one root per settlement, pull payments
/// @notice The coordinator publishes, per settlement id, one Merkle root over the payouts
///         (index, account, amount) and funds the settlement's total in the same transaction.
///         Each account then claims its own payout with a proof; nothing loops over recipients.
/// @dev    Leaves are hashed as OpenZeppelin's StandardMerkleTree with leaf types
///         ["uint256", "address", "uint256"]: keccak256(bytes.concat(keccak256(abi.encode(index,
///         account, amount)))), pairs sorted (MerkleProof). The index selects a bit in a claimed
///         bitmap (the Uniswap MerkleDistributor pattern), which is set before the transfer.
///         Anyone may submit a claim; the tokens always go to the account in the leaf.
contract RewardDistributor is AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The role allowed to publish settlements (the SparkGrid coordinator's key).
    bytes32 public constant COORDINATOR_ROLE = keccak256("COORDINATOR_ROLE");

    /// @notice The token paid out.
    IERC20 public immutable token;

    struct Settlement {
        bytes32 root;
        uint128 total;     // funded at publication
        uint128 remaining; // total minus what has been claimed
    }

    mapping(bytes32 settlementId => Settlement) private _settlements;
    mapping(bytes32 settlementId => mapping(uint256 word => uint256 bits)) private _claimed;

    event SettlementPublished(bytes32 indexed settlementId, bytes32 root, uint256 total);
    event FundedFromEscrow(bytes32 indexed settlementId, address indexed escrow, bytes32 indexed jobId, uint256 total);
    event Claimed(bytes32 indexed settlementId, uint256 index, address indexed account, uint256 amount);

    error SettlementExists(bytes32 settlementId);
    error UnknownSettlement(bytes32 settlementId);
    error EmptyRoot();
    error TotalTooLarge(uint256 total);
    error AlreadyClaimed(bytes32 settlementId, uint256 index);
    error InvalidProof();
    error Underfunded(bytes32 settlementId, uint256 amount, uint256 remaining);
    error EscrowTokenMismatch(address escrow, address escrowToken);
    error EscrowShortfall(bytes32 settlementId, uint256 received, uint256 total);

    /// @param token_       the reward token
    /// @param admin        gets DEFAULT_ADMIN_ROLE (grants roles, pauses)
    /// @param coordinator  gets COORDINATOR_ROLE
    constructor(IERC20 token_, address admin, address coordinator) {
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(COORDINATOR_ROLE, coordinator);
    }

    /// @notice Publishes a settlement's root and pulls its total from the caller (who must have
    ///         approved this contract). A settlement id is published at most once.
    function publish(bytes32 settlementId, bytes32 root, uint256 total)
        external
        onlyRole(COORDINATOR_ROLE)
        whenNotPaused
    {
        _record(settlementId, root, total);
        token.safeTransferFrom(msg.sender, address(this), total);
    }

    /// @notice Publishes a settlement's root funded from a job's deposit in `escrow` (which must
    ///         have granted this contract its DISTRIBUTOR_ROLE and pay in the same token): the
    ///         escrow transfers `total` here and reverts with DepositExceeded if less remains of
    ///         the deposit. The caller's own tokens are not touched. A settlement id is published
    ///         at most once, so a deposit is drawn at most once per settlement.
    function publishFromEscrow(bytes32 settlementId, bytes32 root, uint256 total, IJobEscrowDraw escrow, bytes32 jobId)
        external
        onlyRole(COORDINATOR_ROLE)
        whenNotPaused
        nonReentrant
    {
        address escrowToken = address(escrow.token());
        if (escrowToken != address(token)) revert EscrowTokenMismatch(address(escrow), escrowToken);
        _record(settlementId, root, total);
        emit FundedFromEscrow(settlementId, address(escrow), jobId, total);
        uint256 before = token.balanceOf(address(this));
        escrow.releaseTo(jobId, address(this), total);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != total) revert EscrowShortfall(settlementId, received, total);
    }

    function _record(bytes32 settlementId, bytes32 root, uint256 total) private {
        if (root == bytes32(0)) revert EmptyRoot();
        if (total > type(uint128).max) revert TotalTooLarge(total);
        if (_settlements[settlementId].root != bytes32(0)) revert SettlementExists(settlementId);
        _settlements[settlementId] = Settlement(root, uint128(total), uint128(total));
        emit SettlementPublished(settlementId, root, total);
    }

    /// @notice Pays `amount` to `account` once, if (index, account, amount) is a leaf of the
    ///         settlement's root.
    function claim(bytes32 settlementId, uint256 index, address account, uint256 amount, bytes32[] calldata proof)
        external
        whenNotPaused
        nonReentrant
    {
        Settlement storage s = _settlements[settlementId];
        bytes32 root = s.root;
        if (root == bytes32(0)) revert UnknownSettlement(settlementId);

        uint256 word = index >> 8;
        uint256 bit = 1 << (index & 0xff);
        uint256 bits = _claimed[settlementId][word];
        if (bits & bit != 0) revert AlreadyClaimed(settlementId, index);

        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof();

        uint256 remaining = s.remaining;
        if (amount > remaining) revert Underfunded(settlementId, amount, remaining);

        _claimed[settlementId][word] = bits | bit;
        s.remaining = uint128(remaining - amount);
        emit Claimed(settlementId, index, account, amount);
        token.safeTransfer(account, amount);
    }

    /// @notice Whether the payout at `index` of the settlement has been claimed.
    function isClaimed(bytes32 settlementId, uint256 index) external view returns (bool) {
        return _claimed[settlementId][index >> 8] & (1 << (index & 0xff)) != 0;
    }

    /// @notice The settlement's root (zero if never published), funded total and unclaimed rest.
    function settlement(bytes32 settlementId)
        external
        view
        returns (bytes32 root, uint256 total, uint256 remaining)
    {
        Settlement storage s = _settlements[settlementId];
        return (s.root, s.total, s.remaining);
    }

    /// @notice Stops publications and claims (admin only).
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @notice Resumes publications and claims (admin only).
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }
}
