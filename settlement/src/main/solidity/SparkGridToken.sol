// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title SparkGrid reward token
/// @notice A plain ERC-20 whose whole supply is minted once to the deployer (the coordinator),
///         who funds each settlement from it. No further minting, no admin.
contract SparkGridToken is ERC20 {
    /// @param initialSupply the whole supply, in the smallest unit (18 decimals)
    constructor(uint256 initialSupply) ERC20("SparkGrid Reward", "SGR") {
        _mint(msg.sender, initialSupply);
    }
}
