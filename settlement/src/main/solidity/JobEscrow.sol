// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title Escrow of job deposits: compute-job fees and tree jobs' reward budgets
/// @notice A requester deposits a job's fee with a deadline. While the job runs, a contract with
///         DISTRIBUTOR_ROLE (the RewardDistributor, granted at deployment) may draw parts of the
///         deposit into reward settlements (`releaseTo`), never more than remains: the most a job
///         can ever pay out is what its requester deposited. When the job succeeds, the
///         coordinator releases what remains to a recipient (`release`). When the job fails
///         (coordinator) or its deadline passes (anyone), what remains goes back to the requester
///         minus a penalty, in basis points, sent to the penalty sink (`refund`). The rate that
///         applies is the one in force at deposit.
contract JobEscrow is AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 public constant COORDINATOR_ROLE = keccak256("COORDINATOR_ROLE");
    /// @notice Contracts that may draw a job's deposit into a settlement (the RewardDistributor).
    bytes32 public constant DISTRIBUTOR_ROLE = keccak256("DISTRIBUTOR_ROLE");
    uint16 public constant MAX_BPS = 10_000;

    enum Status { None, Deposited, Released, Refunded }

    struct Job {
        address requester;
        uint64 deadline;
        uint16 penaltyBps;
        Status status;
        uint256 fee;       // deposited
        uint256 remaining; // deposited minus what releaseTo drew
    }

    IERC20 public immutable token;
    uint16 public penaltyBps;
    address public penaltySink;

    mapping(bytes32 jobId => Job) private _jobs;

    event Deposited(bytes32 indexed jobId, address indexed requester, uint256 fee, uint64 deadline);
    event Released(bytes32 indexed jobId, address indexed recipient, uint256 fee);
    event Drawn(bytes32 indexed jobId, address indexed recipient, uint256 amount, uint256 remaining);
    event Refunded(bytes32 indexed jobId, address indexed requester, uint256 refund, uint256 penalty);
    event PenaltyChanged(uint16 penaltyBps, address penaltySink);

    error JobExists(bytes32 jobId);
    error NotDeposited(bytes32 jobId);
    error NotExpired(bytes32 jobId, uint64 deadline);
    error ZeroFee();
    error BadPenalty(uint256 penaltyBps);
    error ZeroAddress();
    error DepositExceeded(bytes32 jobId, uint256 amount, uint256 remaining);

    constructor(IERC20 token_, address admin, address coordinator, uint16 penaltyBps_, address penaltySink_) {
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(COORDINATOR_ROLE, coordinator);
        _setPenalty(penaltyBps_, penaltySink_);
    }

    /// @notice Deposits `fee` (approved beforehand) for a new job id.
    function deposit(bytes32 jobId, uint256 fee, uint64 deadline) external nonReentrant {
        if (fee == 0) revert ZeroFee();
        if (_jobs[jobId].status != Status.None) revert JobExists(jobId);
        _jobs[jobId] = Job(msg.sender, deadline, penaltyBps, Status.Deposited, fee, fee);
        emit Deposited(jobId, msg.sender, fee, deadline);
        token.safeTransferFrom(msg.sender, address(this), fee);
    }

    /// @notice Pays `amount` of an open job's deposit to `recipient` (a settlement being
    ///         published), decrementing what remains; reverts with DepositExceeded on more than
    ///         remains. The job stays open: its rest is released or refunded later.
    function releaseTo(bytes32 jobId, address recipient, uint256 amount)
        external
        onlyRole(DISTRIBUTOR_ROLE)
        nonReentrant
    {
        if (recipient == address(0)) revert ZeroAddress();
        Job storage j = _open(jobId);
        uint256 left = j.remaining;
        if (amount > left) revert DepositExceeded(jobId, amount, left);
        j.remaining = left - amount;
        emit Drawn(jobId, recipient, amount, left - amount);
        token.safeTransfer(recipient, amount);
    }

    /// @notice The job succeeded: pays what remains of its deposit (all of it if nothing was
    ///         drawn) to `recipient`.
    function release(bytes32 jobId, address recipient) external onlyRole(COORDINATOR_ROLE) nonReentrant {
        if (recipient == address(0)) revert ZeroAddress();
        Job storage j = _open(jobId);
        uint256 rest = j.remaining;
        j.status = Status.Released;
        j.remaining = 0;
        emit Released(jobId, recipient, rest);
        if (rest != 0) token.safeTransfer(recipient, rest);
    }

    /// @notice The job failed (coordinator, any time) or timed out (anyone, after the deadline):
    ///         refunds what remains of the deposit minus the penalty on it.
    function refund(bytes32 jobId) external nonReentrant {
        Job storage j = _open(jobId);
        if (!hasRole(COORDINATOR_ROLE, msg.sender) && block.timestamp <= j.deadline) {
            revert NotExpired(jobId, j.deadline);
        }
        uint256 rest = j.remaining;
        j.status = Status.Refunded;
        j.remaining = 0;
        uint256 penalty = rest * j.penaltyBps / MAX_BPS;
        uint256 back = rest - penalty;
        emit Refunded(jobId, j.requester, back, penalty);
        if (penalty != 0) token.safeTransfer(penaltySink, penalty);
        if (back != 0) token.safeTransfer(j.requester, back);
    }

    /// @notice Sets the penalty for future deposits (admin only).
    function setPenalty(uint16 penaltyBps_, address penaltySink_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPenalty(penaltyBps_, penaltySink_);
    }

    /// @notice A job's requester, deadline, penalty rate, status (0 none, 1 deposited,
    ///         2 released, 3 refunded) and fee.
    function job(bytes32 jobId)
        external
        view
        returns (address requester, uint64 deadline, uint16 jobPenaltyBps, uint8 status, uint256 fee)
    {
        Job storage j = _jobs[jobId];
        return (j.requester, j.deadline, j.penaltyBps, uint8(j.status), j.fee);
    }

    /// @notice What remains of a job's deposit: the fee minus what releaseTo drew, 0 once
    ///         released or refunded.
    function remaining(bytes32 jobId) external view returns (uint256) {
        return _jobs[jobId].remaining;
    }

    function _open(bytes32 jobId) private view returns (Job storage j) {
        j = _jobs[jobId];
        if (j.status != Status.Deposited) revert NotDeposited(jobId);
    }

    function _setPenalty(uint16 penaltyBps_, address penaltySink_) private {
        if (penaltyBps_ > MAX_BPS) revert BadPenalty(penaltyBps_);
        if (penaltySink_ == address(0)) revert ZeroAddress();
        penaltyBps = penaltyBps_;
        penaltySink = penaltySink_;
        emit PenaltyChanged(penaltyBps_, penaltySink_);
    }
}
