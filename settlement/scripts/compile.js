#!/usr/bin/env node
// Compiles src/main/solidity/*.sol with the pinned solcjs (standard-JSON input) and writes
// <Contract>.abi and <Contract>.bin for every contract declared in those files into the output
// directory (default target/contracts). Imports resolve against node_modules
// (@openzeppelin/contracts). Run by Maven (exec-maven-plugin) after `npm ci`.
//
//   node scripts/compile.js [sourceDir] [outDir]
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

// Pinned here and nowhere else. Cancun: transient storage for ReentrancyGuardTransient;
// anvil's default hardfork is newer, and Ethereum mainnet has run Cancun since March 2024.
const EVM_VERSION = 'cancun';
const OPTIMIZER_RUNS = 200;

const root = path.resolve(__dirname, '..');
const sourceDir = path.resolve(root, process.argv[2] || 'src/main/solidity');
const outDir = path.resolve(root, process.argv[3] || 'target/contracts');

const files = fs.readdirSync(sourceDir).filter((f) => f.endsWith('.sol')).sort();
if (files.length === 0) {
  console.error(`no .sol files in ${sourceDir}`);
  process.exit(1);
}

const sources = {};
for (const f of files) {
  sources[f] = { content: fs.readFileSync(path.join(sourceDir, f), 'utf8') };
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};

function findImports(importPath) {
  const candidates = [path.join(root, 'node_modules', importPath), path.join(sourceDir, importPath)];
  for (const c of candidates) {
    if (fs.existsSync(c)) return { contents: fs.readFileSync(c, 'utf8') };
  }
  return { error: `not found: ${importPath}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const problems = output.errors || [];
// Warnings inside OpenZeppelin (e.g. its note on transient storage) are theirs to keep.
const ours = (p) => p.severity === 'error' || !(p.sourceLocation && p.sourceLocation.file.startsWith('@openzeppelin/'));
for (const p of problems.filter(ours)) {
  console.error(p.formattedMessage || p.message);
}
if (problems.some((p) => p.severity === 'error')) {
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
const written = [];
for (const f of files) {
  for (const [name, contract] of Object.entries(output.contracts[f] || {})) {
    const bin = contract.evm.bytecode.object;
    if (!bin) continue; // interfaces and abstract contracts
    fs.writeFileSync(path.join(outDir, `${name}.abi`), JSON.stringify(contract.abi));
    fs.writeFileSync(path.join(outDir, `${name}.bin`), bin);
    written.push(name);
  }
}
fs.writeFileSync(
  path.join(outDir, 'build-info.json'),
  JSON.stringify({ solc: solc.version(), evmVersion: EVM_VERSION, optimizerRuns: OPTIMIZER_RUNS, contracts: written }, null, 2),
);
console.log(`solc ${solc.version()} (${EVM_VERSION}): ${written.join(', ')} -> ${path.relative(root, outDir)}`);
