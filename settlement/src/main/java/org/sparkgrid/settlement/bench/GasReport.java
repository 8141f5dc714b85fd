package org.sparkgrid.settlement.bench;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.sparkgrid.settlement.FileReceiptStore;
import org.sparkgrid.settlement.Settler;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.Deployment;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.sparkgrid.settlement.ledger.Bytes32;
import org.sparkgrid.settlement.ledger.Payee;
import org.sparkgrid.settlement.ledger.Payout;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;

/**
 * Prints the gas of publishing one settlement and of claiming from it, for 10, 100 and 1000
 * recipients (or the counts given as arguments), on a local anvil node, next to a plain ERC-20
 * transfer to a fresh address measured in the same run (the floor any payout pays).
 *
 * <pre>
 * cd settlement && mvn -q -o exec:java -Dexec.mainClass=org.sparkgrid.settlement.bench.GasReport \
 *     -Dexec.classpathScope=compile -Dexec.includeProjectDependencies=true -Dexec.includePluginDependencies=false
 * </pre>
 */
public final class GasReport {
  private static final int CLAIMS = 12;

  private GasReport() {}

  public static void main(String[] args) throws Exception {
    int[] sizes = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
        : new int[] {10, 100, 1000};
    Path dir = Files.createTempDirectory("gas-report");
    try (LocalChain node = LocalChain.builder().accounts(2).build().start();
         Chain chain = Chain.connect(node.rpcUrl(), node.chainId())) {
      ChainKey coordinator = node.key(0);
      ChainKey sender = node.key(1);
      Deployment d = Deployer.with(chain, coordinator).deploy();
      SparkGridToken token = SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(coordinator),
          chain.gas());
      long transfer = token.transfer(address(new Random(99)), BigInteger.TEN).send().getGasUsed().longValueExact();
      Settler settler = Settler.builder(chain, coordinator, d.distributor(), new FileReceiptStore(dir)).build();
      RewardDistributor distributor = RewardDistributor.load(d.distributor(), chain.web3j(),
          chain.transactionManager(sender), chain.gas());
      settler.settle(plan("warm-up", 2, new Random(0))); // warms the node; each settlement approves its total in its own tx

      System.out.printf("baseline: ERC-20 transfer to a fresh address: %d gas%n%n", transfer);
      System.out.printf("%10s %12s %18s %22s %7s %14s%n", "recipients", "publish gas", "first claim gas",
          "next claims avg/max", "proof", "settle ms");
      Random random = new Random(42);
      for (int n : sizes) {
        SettlementPlan plan = plan("gas-" + n, n, random);
        long t0 = System.nanoTime();
        long publish = settler.settle(plan).receipt().gasUsed();
        double settleMs = (System.nanoTime() - t0) / 1e6;
        List<Long> claims = new ArrayList<>();
        for (int i = 0; i < Math.min(CLAIMS, n); i++) {
          Payout p = plan.payouts().get(i);
          List<byte[]> proof = plan.proof(i).stream().map(Bytes32::bytes).toList();
          claims.add(distributor.claim(plan.id().bytes(), BigInteger.valueOf(p.index()), p.account(), p.amount(), proof)
              .send().getGasUsed().longValueExact());
        }
        var next = claims.subList(1, claims.size()).stream().mapToLong(Long::longValue).summaryStatistics();
        System.out.printf("%10d %12d %18d %15.0f/%6d %7d %14.0f%n", n, publish, claims.get(0), next.getAverage(),
            next.getMax(), plan.proof(0).size(), settleMs);
      }
      System.out.println();
      System.out.println("publish: one transaction whatever the number of recipients. claims: payouts 0.." + (CLAIMS - 1)
          + ", each to a fresh");
      System.out.println("recipient (token balance from zero); the first sets the first bit of its 256-bit claimed");
      System.out.println("word (zero to non-zero), the next ones share that word. proof: hashes in payout 0's proof.");
      System.out.println("settle ms: wall time of Settler.settle (Merkle tree, one transaction, its receipt, the stored");
      System.out.println("receipt) on the local node, which mines each transaction at once.");
    }
  }

  private static SettlementPlan plan(String name, int n, Random random) {
    List<Payee> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(new Payee("site-" + i, address(random), 1 + random.nextInt(100), 1000));
    }
    return SettlementPlan.of(name, BigInteger.TEN.pow(24), cs, Weighting.SCORE);
  }

  private static String address(Random random) {
    return String.format("0x%040x", new BigInteger(160, random));
  }
}
