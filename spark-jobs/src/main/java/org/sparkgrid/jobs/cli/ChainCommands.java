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
      LocalChain.Builder builder = LocalChain.builder().port(port).chainId(chainId);
      if (baseFeeGwei != null) {
        builder.baseFeeWei(ChainOptions.gwei(baseFeeGwei));
      }
      LocalStart started = startLocal(config, builder);
      LocalChain node = started.node();
      Runtime.getRuntime().addShutdownHook(new Thread(node::close));
      ChainRecord r = started.record();
      say("local chain " + node.rpcUrl() + " (chain id " + node.chainId() + ") "
          + (started.resumed() ? "resumed from " : "new, kept in ") + stateFile(config));
      say("token " + r.token() + ", distributor " + r.distributor() + ", escrow " + r.escrow() + " (block "
          + r.deploymentBlock() + "), recorded in " + ChainRecord.file(config));
      if (started.receiptsSetAside() > 0) {
        say(started.receiptsSetAside() + " receipt(s) of settlements on a chain that no longer exists (its state"
            + " file was lost) moved to " + Path.of(config.home(), "settlements-lost"));
      }
      say("coordinator: development account 0 (" + r.coordinator() + ") of the test mnemonic; federations"
          + " settle here with SPARKGRID_CHAIN_KEY set to that account's (public) key");
      say("Ctrl-C stops the node (its chain is written to the state file)");
      while (node.isRunning()) {
        Thread.sleep(1_000);
      }
      return 0;
    }
  }

  /** {@code <home>/chain/anvil-state.json}: where the local node keeps its chain. */
  static Path stateFile(SparkGridConfig config) {
    return Path.of(config.home(), "chain", "anvil-state.json");
  }

  /**
   * What {@link #startLocal} did.
   *
   * @param node             the running node
   * @param record           its contracts, as recorded in chain.json
   * @param resumed          whether they came back from the state file (else they were deployed now)
   * @param receiptsSetAside receipts of a lost chain moved to {@code settlements-lost/}
   */
  record LocalStart(LocalChain node, ChainRecord record, boolean resumed, int receiptsSetAside) {}

  /**
   * Starts a local node whose chain is kept in {@link #stateFile} (loaded at start, written every 5 s and
   * at stop), and reuses the contracts chain.json records when the node still has them; else moves the
   * receipts of the lost chain aside, deploys the contracts from development account 0 and records them.
   *
   * @param builder port, chain id, base fee; the state file is set here
   * @throws Exception if the node does not start or a deployment fails (the node is stopped then)
   */
  static LocalStart startLocal(SparkGridConfig config, LocalChain.Builder builder) throws Exception {
    Files.createDirectories(stateFile(config).getParent());
    LocalChain node = builder.stateFile(stateFile(config)).stateIntervalSeconds(5).build().start();
    try (Chain chain = connect(config, node.rpcUrl(), node.chainId())) {
      Optional<ChainRecord> recorded = Files.exists(ChainRecord.file(config))
          ? Optional.of(ChainRecord.read(ChainRecord.file(config))) : Optional.empty();
      if (recorded.isPresent() && sameLocalChain(recorded.get(), node)
          && hasCode(chain, recorded.get().distributor())) {
        return new LocalStart(node, recorded.get(), true, 0);
      }
      int setAside = setAsideLost(config, chain, node.chainId());
      ChainKey coordinator = node.key(0);
      Deployment d = Deployer.with(chain, coordinator).deploy();
      ChainRecord r = ChainRecord.of(node.rpcUrl(), node.chainId(), d, coordinator.address());
      r.write(ChainRecord.file(config));
      return new LocalStart(node, r, false, setAside);
    } catch (Exception | Error e) {
      node.close();
      throw e;
    }
  }

  private static boolean sameLocalChain(ChainRecord r, LocalChain node) {
    return r.rpcUrl().equals(node.rpcUrl()) && r.chainId() == node.chainId();
  }

  /**
   * Moves aside the receipts of settlements on this chain id whose distributor has no code on the
   * node: their chain is gone (a node started without its state file). They go to
   * {@code settlements-lost/}, so that nothing reads them as settled.
   *
   * @return how many were moved
   */
  private static int setAsideLost(SparkGridConfig config, Chain chain, long chainId) throws IOException {
    Path dir = Path.of(config.home(), "settlements");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    List<SettlementReceipt> lost = new ArrayList<>();
    for (SettlementReceipt r : new FileReceiptStore(dir).all()) {
      if (r.chainId() == chainId && !hasCode(chain, r.distributor())) {
        lost.add(r);
      }
    }
    if (!lost.isEmpty()) {
      Path aside = Files.createDirectories(Path.of(config.home(), "settlements-lost"));
      for (SettlementReceipt r : lost) {
        Files.move(dir.resolve(r.settlementId() + ".json"), aside.resolve(r.settlementId() + ".json"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return lost.size();
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
