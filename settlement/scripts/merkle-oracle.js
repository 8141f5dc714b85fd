#!/usr/bin/env node
// Test oracle: OpenZeppelin's own StandardMerkleTree over payouts [index, account, amount].
// Reads a JSON array of [index, account, amount] (amount a decimal string) on stdin and prints
// {"root": ..., "leaves": [...], "proofs": [[...], ...]} in input order. Used by MerkleTreeTest.
'use strict';

const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const values = JSON.parse(input);
  const tree = StandardMerkleTree.of(values, ['uint256', 'address', 'uint256']);
  const proofs = values.map((_, i) => tree.getProof(i));
  const leaves = values.map((v) => tree.leafHash(v));
  process.stdout.write(JSON.stringify({ root: tree.root, leaves, proofs }));
});
