package org.sparkgrid.jobs.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.split.DatasetSplits;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.settlement.chain.LocalChain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparkgrid split}: cuts an IDX dataset into per-site directories and writes the federation
 * file that names them, for trying tree mode on one machine.
 */
@Command(name = "split", mixinStandardHelpOptions = true,
    description = "Split an IDX dataset into N site directories (IID, Dirichlet over labels, or k classes per site)"
        + " and write federation.json.")
public final class SplitCommand implements Callable<Integer> {

  enum Method { iid, dirichlet, classes }

  @Option(names = "--data", required = true, paramLabel = "PREFIX",
      description = "IDX prefix to split, e.g. /usr/share/datasets/fashion-mnist/train")
  String data;

  @Option(names = "--sites", required = true, description = "Number of sites, 1..1000")
  int sites;

  @Option(names = "--method", defaultValue = "iid", description = "iid, dirichlet or classes (default: ${DEFAULT-VALUE})")
  Method method;

  @Option(names = "--alpha", defaultValue = "0.5", description = "Dirichlet concentration (default: ${DEFAULT-VALUE})")
  double alpha;

  @Option(names = "--classes-per-site", defaultValue = "2", description = "k for --method classes")
  int classesPerSite;

  @Option(names = "--limit", description = "Use only the first N examples")
  Integer limit;

  @Option(names = "--seed", defaultValue = "42")
  long seed;

  @Option(names = "--holdout", defaultValue = "2000",
      description = "Examples kept out of every site for the coordinator's validation set, written to"
          + " DIR/coordinator/validation-*; use it as the tree request's data.train (default: ${DEFAULT-VALUE})")
  int holdout;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where site-NN/ and federation.json go")
  Path out;

  @Option(names = "--accounts", paramLabel = "FILE",
      description = "One Ethereum account per line, one per site; each site then signs its updates with the key in"
          + " SPARKGRID_SITE_KEY on its executors (edit the federation file's key to change that). Default:"
          + " development accounts 1..N of the local chain's public test mnemonic, which sign with their development"
          + " keys: for trying, never for real money")
  Path accounts;

  @Override
  public Integer call() throws Exception {
    if (sites < 1 || sites > 1000) {
      throw new IllegalArgumentException("--sites must be between 1 and 1000, got " + sites);
    }
    List<String> accountList = accounts == null ? null : Files.readAllLines(accounts, StandardCharsets.UTF_8).stream()
        .map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (accountList != null && accountList.size() < sites) {
      throw new IllegalArgumentException("--accounts " + accounts + " has " + accountList.size()
          + " accounts for " + sites + " sites");
    }
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, data, limit);
    if (holdout < 0 || holdout >= all.count()) {
      throw new IllegalArgumentException("--holdout must be in [0, " + all.count() + "), got " + holdout);
    }
    int[] order = org.sparkgrid.jobs.data.Minibatches.shuffledOrder(all.count(), seed);
    int[] held = java.util.Arrays.copyOfRange(order, 0, holdout);
    int[] rest = java.util.Arrays.copyOfRange(order, holdout, order.length);
    int[] restLabels = new int[rest.length];
    for (int i = 0; i < rest.length; i++) {
      restLabels[i] = all.labels()[rest[i]];
    }
    int[][] split = switch (method) {
      case iid -> DatasetSplits.iid(rest.length, sites, seed);
      case dirichlet -> DatasetSplits.dirichlet(restLabels, sites, alpha, seed);
      case classes -> DatasetSplits.classesPerSite(restLabels, sites, classesPerSite, seed);
    };
    for (int[] site : split) {
      for (int i = 0; i < site.length; i++) {
        site[i] = rest[site[i]];
      }
    }
    Files.createDirectories(out);
    if (holdout > 0) {
      Path coordinator = out.resolve("coordinator").toAbsolutePath();
      Files.createDirectories(coordinator);
      IdxWriter.write(conf, coordinator.resolve("validation").toString(), all, held);
      System.out.printf("coordinator validation set: %d examples -> file:%s%n", holdout, coordinator.resolve("validation"));
    }
    List<FederationFile.Site> list = new ArrayList<>();
    for (int s = 0; s < sites; s++) {
      String id = String.format("site-%02d", s + 1);
      Path dir = out.resolve(id).toAbsolutePath();
      Files.createDirectories(dir);
      IdxWriter.write(conf, dir.resolve("train").toString(), all, split[s]);
      String account = accountList != null ? accountList.get(s) : LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address();
      list.add(new FederationFile.Site(id, "file:" + dir.resolve("train"), account, 1.0, List.of(),
          accountList != null ? FederationFile.SiteKey.DEFAULT : new FederationFile.SiteKey.Dev(s + 1)));
      System.out.printf("%s: %6d examples -> %s%n", id, split[s].length, dir);
    }
    FederationFile file = new FederationFile(list, new HashSet<>());
    Path json = out.resolve("federation.json");
    Files.write(json, file.toJson());
    System.out.println("federation file: " + json.toAbsolutePath());
    return 0;
  }
}
