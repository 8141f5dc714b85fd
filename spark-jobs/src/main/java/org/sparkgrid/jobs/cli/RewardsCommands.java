package org.sparkgrid.jobs.cli;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.jobs.tree.RewardSettlement;
import org.sparkgrid.settlement.Claimant;
import org.sparkgrid.settlement.FileReceiptStore;
import org.sparkgrid.settlement.Reconciler;
import org.sparkgrid.settlement.SettlementReceipt;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.contracts.JobEscrow;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.sparkgrid.settlement.ledger.Payout;
import org.web3j.tx.ReadonlyTransactionManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The reward side: {@code rewards list|claim|reconcile}, {@code escrow deposit|withdraw}, {@code balance}
 * (the chain itself: {@link ChainCommands}). Every command that reaches the chain first checks its chain id;
 * signing keys come from {@code --keystore}, {@code spark.sparkgrid.chain.keystore} or
 * {@code SPARKGRID_CHAIN_KEY}.
 */
final class RewardsCommands {
  private RewardsCommands() {}

  static RewardSettlement.Target target(SparkGridConfig config) throws java.io.IOException {
    return RewardSettlement.target(config).orElseThrow(() -> new IllegalArgumentException("no chain configured: set"
        + " spark.sparkgrid.chain.rpcUrl and spark.sparkgrid.chain.distributor, or start a local one with"
        + " 'bin/sparkgrid chain' (or 'bin/sparkgrid chain deploy' on another chain)"));
  }

  /** The target's chain, its chain id checked. */
  static Chain connect(SparkGridConfig config, RewardSettlement.Target t) {
    return ChainCommands.connect(config, t.rpcUrl(), t.chainId());
  }

  static FileReceiptStore receipts(SparkGridConfig config) throws java.io.IOException {
    return new FileReceiptStore(Path.of(config.home(), "settlements"));
  }

  @Command(name = "rewards", mixinStandardHelpOptions = true, description = "Rewards settled on the chain.",
      subcommands = {ListCmd.class, ClaimCmd.class, ReconcileCmd.class})
  static final class Rewards implements Runnable {
    @Override
    public void run() {
      throw new IllegalArgumentException("name a rewards command: list, claim or reconcile");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Settlements published, with payouts.")
  static final class ListCmd implements Callable<Integer> {
    @Option(names = "--federation", paramLabel = "JOB", description = "Only this federation's settlements")
    String federation;

    @Option(names = "--account", description = "Only payouts to this account") String account;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      List<SettlementReceipt> all = receipts(config).all();
      System.out.printf("%-36s %-10s %22s  %s%n", "SETTLEMENT", "RECIPIENTS", "TOTAL", "TRANSACTION");
      for (SettlementReceipt r : all) {
        if (federation != null && !r.name().startsWith(federation + "/")) {
          continue;
        }
        System.out.printf("%-36s %-10d %22s  %s%n", r.name(), r.payouts().size(), r.total(), r.transactionHash());
        for (Payout p : r.payouts()) {
          if (account == null || p.account().equalsIgnoreCase(account)) {
            System.out.printf("    #%-4d %s %22s%n", p.index(), p.account(), p.amount());
          }
        }
      }
      return 0;
    }
  }

  @Command(name = "claim", mixinStandardHelpOptions = true,
      description = "Claim every unclaimed payout to ACCOUNT, signing with the key of --keystore (else"
          + " spark.sparkgrid.chain.keystore, else SPARKGRID_CHAIN_KEY).")
  static final class ClaimCmd implements Callable<Integer> {
    @Option(names = "--account", required = true) String account;

    @Mixin ChainCommands.KeyOptions keys = new ChainCommands.KeyOptions();

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      ChainKey key = keys.key(config);
      if (!key.address().equalsIgnoreCase(account)) {
        throw new IllegalArgumentException("the signing key is the key of " + key.address() + ", not of --account "
            + account);
      }
      RewardSettlement.Target t = target(config);
      try (Chain chain = connect(config, t)) {
        RewardDistributor view = RewardDistributor.load(t.distributor(), chain.web3j(),
            new ReadonlyTransactionManager(chain.web3j(), t.distributor()), chain.gas());
        Claimant claimant = new Claimant(chain, key, t.distributor());
        BigInteger total = BigInteger.ZERO;
        for (SettlementReceipt r : receipts(config).all()) {
          for (Payout p : r.payouts()) {
            if (!p.account().equalsIgnoreCase(account)) {
              continue;
            }
            if (view.isClaimed(r.plan().id().bytes(), BigInteger.valueOf(p.index())).send()) {
              System.out.printf("%s #%d: claimed already%n", r.name(), p.index());
              continue;
            }
            var receipt = claimant.claim(r.plan(), p.index());
            total = total.add(p.amount());
            System.out.printf("%s #%d: %s claimed in %s%n", r.name(), p.index(), p.amount(), receipt.getTransactionHash());
          }
        }
        System.out.println("claimed " + total + " in all for " + account.toLowerCase(Locale.ROOT));
        return 0;
      }
    }
  }

  @Command(name = "reconcile", mixinStandardHelpOptions = true,
      description = "Rebuild every stored settlement's root from its payouts, compare the stored settlements with the"
          + " chain, and name each settlement that differs; exit 1 on any difference.")
  static final class ReconcileCmd implements Callable<Integer> {
    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      RewardSettlement.Target t = target(config);
      try (Chain chain = connect(config, t)) {
        Reconciler.Report report = new Reconciler(chain, t.distributor(), t.deploymentBlock())
            .reconcile(receipts(config));
        for (Reconciler.Status s : report.settlements()) {
          System.out.printf("%-36s %d payouts, %d claimed, %s claimed in all%n", s.name(), s.payouts(),
              s.claimed().stream().filter(Boolean::booleanValue).count(), s.claimedAmount());
        }
        for (Reconciler.Difference d : report.differences()) {
          System.out.println(describe(d));
        }
        System.out.println(report.consistent() ? "ledger and chain agree" : "ledger and chain differ");
        return report.consistent() ? 0 : 1;
      }
    }
  }

  /** One line per difference, naming the settlement (its id when the ledger does not know it). */
  static String describe(Reconciler.Difference d) {
    String name = d.name().isEmpty() ? d.settlementId() : d.name();
    return switch (d.kind()) {
      case LEDGER_ROOT, LEDGER_TOTAL -> "DIFFERENCE " + name + " " + d.kind() + ": " + d.ledger() + ", " + d.chain();
      default -> "DIFFERENCE " + name + " " + d.kind() + ": ledger " + d.ledger() + ", chain " + d.chain();
    };
  }

  @Command(name = "escrow", mixinStandardHelpOptions = true,
      description = "A compute job's fee: deposit it, or withdraw it (refund minus the penalty) once the job failed or"
          + " its deadline passed. Signs with the key of --keystore (else spark.sparkgrid.chain.keystore, else"
          + " SPARKGRID_CHAIN_KEY).",
      subcommands = {Deposit.class, Withdraw.class})
  static final class Escrow implements Runnable {
    @Override
    public void run() {
      throw new IllegalArgumentException("name an escrow command: deposit or withdraw");
    }
  }

  /** The job id as the escrow keys it: keccak-256 of the id's UTF-8 bytes. */
  static byte[] escrowId(String jobId) {
    return org.sparkgrid.settlement.JobDeposit.idOf(jobId).bytes();
  }

  static JobEscrow escrow(Chain chain, RewardSettlement.Target t, ChainKey key) {
    if (t.escrow().isEmpty()) {
      throw new IllegalArgumentException("spark.sparkgrid.chain.escrow is not set (bin/sparkgrid chain records it)");
    }
    return JobEscrow.load(t.escrow(), chain.web3j(), chain.transactionManager(key), chain.gas());
  }

  @Command(name = "deposit", mixinStandardHelpOptions = true,
      description = "Deposit a job's fee in the escrow: a compute job's fee, or a tree job's reward budget.")
  static final class Deposit implements Callable<Integer> {
    @Option(names = "--job", required = true) String job;

    @Option(names = {"--fee", "--amount"}, required = true, description = "In the token's smallest unit; for a"
        + " tree job with a reward, at least poolPerRound x rounds (its rewards are paid from it)") BigInteger fee;

    @Option(names = "--deadline-minutes", defaultValue = "1440",
        description = "After this, anyone may have the fee refunded (default: ${DEFAULT-VALUE})")
    long deadlineMinutes;

    @Mixin ChainCommands.KeyOptions keys = new ChainCommands.KeyOptions();

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      if (fee.signum() <= 0) {
        throw new IllegalArgumentException("--fee must be > 0, got " + fee);
      }
      SparkGridConfig config = ServiceCommands.config(spark);
      ChainKey key = keys.key(config);
      RewardSettlement.Target t = target(config);
      try (Chain chain = connect(config, t)) {
        escrow(chain, t, key); // names the missing key if there is no escrow
        long deadline = java.time.Instant.now().getEpochSecond() + deadlineMinutes * 60;
        var r = org.sparkgrid.settlement.JobDeposit.of(t.escrow(), job).deposit(chain, key, fee, deadline);
        System.out.println("deposited " + fee + " for job " + job + " in " + r.getTransactionHash());
        return 0;
      }
    }
  }

  @Command(name = "withdraw", mixinStandardHelpOptions = true,
      description = "Have a job's fee refunded, minus the penalty: after its deadline, or any time by the coordinator.")
  static final class Withdraw implements Callable<Integer> {
    @Option(names = "--job", required = true) String job;

    @Mixin ChainCommands.KeyOptions keys = new ChainCommands.KeyOptions();

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      ChainKey key = keys.key(config);
      RewardSettlement.Target t = target(config);
      try (Chain chain = connect(config, t)) {
        var r = escrow(chain, t, key).refund(escrowId(job)).send();
        System.out.println("refunded job " + job + " in " + r.getTransactionHash());
        return 0;
      }
    }
  }

  @Command(name = "balance", mixinStandardHelpOptions = true, description = "An account's reward-token balance.")
  static final class Balance implements Callable<Integer> {
    @Parameters(paramLabel = "ACCOUNT") String account;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      RewardSettlement.Target t = target(config);
      try (Chain chain = connect(config, t)) {
        var ro = new ReadonlyTransactionManager(chain.web3j(), t.distributor());
        String token = RewardDistributor.load(t.distributor(), chain.web3j(), ro, chain.gas()).token().send();
        BigInteger balance = SparkGridToken.load(token, chain.web3j(), ro, chain.gas()).balanceOf(account).send();
        System.out.println(account + " " + balance);
        return 0;
      }
    }
  }
}
