package org.sparkgrid.jobs.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.settlement.FileReceiptStore;
import org.sparkgrid.settlement.SettlementReceipt;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.ChainOptions;
import org.sparkgrid.settlement.chain.ChainRecord;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.Deployment;
import org.sparkgrid.settlement.chain.LocalChain;
import org.web3j.protocol.core.DefaultBlockParameterName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chain}: a local node that keeps its chain in the home across restarts; {@code chain deploy}:
 * SparkGrid's contracts on any EVM chain, recorded in {@code <home>/chain.json}.
 *
 * <pre>
 * bin/sparkgrid chain                                          # anvil, state in ~/.sparkgrid/chain/anvil-state.json
 * bin/sparkgrid chain deploy --rpc https://sepolia.example --chain-id 11155111 \
 *     --keystore coordinator.json --password-file pw.txt       # token, distributor, escrow
 * </pre>
 */
final class ChainCommands {
  private ChainCommands() {}

  /** Where a signing key comes from: {@code --keystore} (and its password), else the configuration or the environment. */
  static final class KeyOptions {
    @Option(names = "--keystore", paramLabel = "FILE",
        description = "V3 keystore file of the signing key (default: spark.sparkgrid.chain.keystore, else the"
            + " environment variable SPARKGRID_CHAIN_KEY)")
    Path keystore;

    @Option(names = "--password-file", paramLabel = "FILE",
        description = "File whose first line is the keystore's password (default: asked at the terminal)")
    Path passwordFile;

    /**
     * @throws IllegalArgumentException naming what is missing (never a key)
     */
    ChainKey key(SparkGridConfig config) throws IOException {
      if (keystore != null) {
        return ChainKey.fromKeystore(keystore, passwordFile);
      }
      if (passwordFile != null) {
        throw new IllegalArgumentException("--password-file needs --keystore");
      }
      return ChainKey.fromConfig(config);
    }
  }

  /** A connection to the configured chain, after checking its chain id (one-line refusal otherwise). */
  static Chain connect(SparkGridConfig config, String rpcUrl, long chainId) {
    Chain chain = Chain.connect(rpcUrl, chainId, ChainOptions.from(config));
    try {
      return chain.verifyChainId();
    } catch (RuntimeException e) {
      chain.close();
      throw e;
    }
  }

  @Command(name = "chain", mixinStandardHelpOptions = true, subcommands = {Deploy.class},
      description = "Start a local Ethereum node (anvil, development accounts) whose chain is kept in SparkGrid's"
          + " home across restarts, deploy SparkGrid's contracts on it the first time, and keep it running; the"
          + " other commands and federations find it through the home. 'chain deploy' deploys on any EVM chain.")
  static final class ChainCmd implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8545", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--chain-id", defaultValue = "31337", description = "Chain id (default: ${DEFAULT-VALUE})")
    long chainId;

    @Option(names = "--base-fee-gwei", description = "The first block's base fee (default: anvil's, 1 gwei)")
    Long baseFeeGwei;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      Path stateFile = Path.of(config.home(), "chain", "anvil-state.json");
      Files.createDirectories(stateFile.getParent());
      LocalChain.Builder builder = LocalChain.builder().port(port).chainId(chainId).stateFile(stateFile)
          .stateIntervalSeconds(5);
      if (baseFeeGwei != null) {
        builder.baseFeeWei(ChainOptions.gwei(baseFeeGwei));
      }
      boolean resumedState = Files.exists(stateFile);
      LocalChain node = builder.build().start();
      Runtime.getRuntime().addShutdownHook(new Thread(node::close));
      ChainKey coordinator = node.key(0);
      try (Chain chain = connect(config, node.rpcUrl(), node.chainId())) {
        Optional<ChainRecord> recorded = Files.exists(ChainRecord.file(config))
            ? Optional.of(ChainRecord.read(ChainRecord.file(config))) : Optional.empty();
        if (recorded.isPresent() && sameLocalChain(recorded.get(), node) && hasCode(chain, recorded.get().distributor())) {
          ChainRecord r = recorded.get();
          say("local chain " + node.rpcUrl() + " (chain id " + node.chainId() + ") resumed from " + stateFile
              + " at block " + chain.web3j().ethBlockNumber().send().getBlockNumber());
          say("token " + r.token() + ", distributor " + r.distributor() + ", escrow " + r.escrow());
        } else {
          if (recorded.isPresent() && !sameLocalChain(recorded.get(), node)) {
            say("chain.json recorded chain " + recorded.get().chainId() + " at " + recorded.get().rpcUrl()
                + "; it now records this local node");
          }
          setAsideLost(config, chain, node.chainId());
          Deployment d = Deployer.with(chain, coordinator).deploy();
          Path file = ChainRecord.of(node.rpcUrl(), node.chainId(), d, coordinator.address()).write(
              ChainRecord.file(config));
          say("local chain " + node.rpcUrl() + " (chain id " + node.chainId() + (resumedState
              ? ", state file without SparkGrid's contracts" : ", new") + "), kept in " + stateFile);
          say("token " + d.token() + ", distributor " + d.distributor() + ", escrow " + d.escrow()
              + " (block " + d.block() + "), recorded in " + file);
        }
      }
      say("coordinator: development account 0 (" + coordinator.address() + ") of the test mnemonic; federations"
          + " settle here with SPARKGRID_CHAIN_KEY set to that account's (public) key");
      say("Ctrl-C stops the node (its chain is written to the state file)");
      while (node.isRunning()) {
        Thread.sleep(1_000);
      }
      return 0;
    }

    private static boolean sameLocalChain(ChainRecord r, LocalChain node) {
      return r.rpcUrl().equals(node.rpcUrl()) && r.chainId() == node.chainId();
    }

    /**
     * Receipts of settlements on this chain id whose distributor has no code on the node: their chain
     * is gone (a node started without its state file). They are moved to {@code settlements-lost/},
     * so that nothing reads them as settled.
     */
    private static void setAsideLost(SparkGridConfig config, Chain chain, long chainId) throws IOException {
      Path dir = Path.of(config.home(), "settlements");
      if (!Files.isDirectory(dir)) {
        return;
      }
      List<SettlementReceipt> lost = new ArrayList<>();
      for (SettlementReceipt r : new FileReceiptStore(dir).all()) {
        if (r.chainId() == chainId && !hasCode(chain, r.distributor())) {
          lost.add(r);
        }
      }
      if (lost.isEmpty()) {
        return;
      }
      Path aside = Files.createDirectories(Path.of(config.home(), "settlements-lost"));
      for (SettlementReceipt r : lost) {
        Files.move(dir.resolve(r.settlementId() + ".json"), aside.resolve(r.settlementId() + ".json"),
            StandardCopyOption.REPLACE_EXISTING);
      }
      say(lost.size() + " receipt(s) of settlements on a chain " + chainId + " that no longer exists moved to " + aside);
    }
  }

  static boolean hasCode(Chain chain, String address) throws IOException {
    String code = chain.web3j().ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode();
    return code != null && code.length() > 2;
  }

  private static void say(String line) {
    System.out.println("[sparkgrid] " + line);
  }

  @Command(name = "deploy", mixinStandardHelpOptions = true,
      description = "Deploy SparkGrid's contracts on an EVM chain: the reward token (or use an existing ERC-20 with"
          + " --token), the RewardDistributor and the JobEscrow, signed by the keystore's key (admin and, by default,"
          + " coordinator). Records them, with the chain id and the deployment block, in <home>/chain.json.")
  static final class Deploy implements Callable<Integer> {
    @Option(names = "--rpc", required = true, paramLabel = "URL", description = "The chain's JSON-RPC endpoint")
    String rpcUrl;

    @Option(names = "--chain-id", description = "The chain id the node must have (default:"
        + " spark.sparkgrid.chain.chainId)")
    Long chainId;

    @Option(names = "--token", paramLabel = "ADDRESS",
        description = "Pay in this existing ERC-20 instead of deploying SparkGridToken (the coordinator must hold it)")
    String token;

    @Option(names = "--initial-supply", defaultValue = "1000000000000000000000000000",
        description = "SparkGridToken minted to the deploying key, in the smallest unit (default: ${DEFAULT-VALUE},"
            + " 1e9 tokens)")
    BigInteger initialSupply;

    @Option(names = "--coordinator", paramLabel = "ADDRESS",
        description = "Who publishes settlements (default: the deploying key)")
    String coordinator;

    @Option(names = "--penalty-bps", defaultValue = "2500",
        description = "Share of a refunded fee kept as a penalty, in basis points (default: ${DEFAULT-VALUE})")
    int penaltyBps;

    @Mixin KeyOptions keys = new KeyOptions();

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      long expected = chainId != null ? chainId : config.get(SparkGridConfig.CHAIN_ID);
      ChainKey key = keys.key(config);
      try (Chain chain = connect(config, rpcUrl, expected)) {
        Deployer deployer = Deployer.with(chain, key).initialSupply(initialSupply).penaltyBps(penaltyBps);
        if (token != null) {
          deployer.existingToken(token);
        }
        if (coordinator != null) {
          deployer.coordinator(coordinator);
        }
        Deployment d = deployer.deploy();
        String coordinatorAddress = coordinator != null ? coordinator : key.address();
        Path file = ChainRecord.of(rpcUrl, expected, d, coordinatorAddress).write(ChainRecord.file(config));
        say("deployed on chain " + expected + " at " + rpcUrl + " from block " + d.block() + " by " + key.address());
        say("token " + d.token() + (token != null ? " (existing)" : "") + ", distributor " + d.distributor()
            + ", escrow " + d.escrow());
        say("coordinator " + coordinatorAddress + "; recorded in " + file);
        return 0;
      }
    }
  }
}
