package org.sparkgrid.jobs.cli;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.split.DatasetSplits;
import org.sparkgrid.jobs.data.ConfEntries;
import org.sparkgrid.jobs.data.DataSource;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.FramePrep;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.resources.GpuPreflight;
import org.sparkgrid.jobs.resources.SparkContexts;
import org.sparkgrid.settlement.chain.LocalChain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Option(names = "--engine", defaultValue = "local",
      description = "local: read, cut and write in this JVM; dataframe: Spark DataFrame operations (decode on the"
          + " executors, assign sites by a broadcast join, write each site from an executor), which the RAPIDS"
          + " Accelerator runs on GPUs; both write the same files (default: ${DEFAULT-VALUE})")
  Engine engine;

  @Option(names = "--partitions", defaultValue = "4", description = "Blocks the dataframe engine decodes in parallel")
  int partitions;

  @Mixin SparkOptions spark = new SparkOptions();

  enum Engine { local, dataframe }

  /**
   * Which examples go where, as example indices in file order.
   *
   * @param holdout the coordinator's validation examples
   * @param sites   each site's examples
   */
  record Plan(int[] holdout, int[][] sites) {}

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
    Files.createDirectories(out);
    Path root = out.toAbsolutePath();
    Plan plan = engine == Engine.local ? splitHere(root) : splitWithDataFrames(root);
    if (holdout > 0) {
      System.out.printf("coordinator validation set: %d examples -> file:%s%n", holdout, validationPrefix(root));
    }
    List<FederationFile.Site> list = new ArrayList<>();
    for (int s = 0; s < sites; s++) {
      String account = accountList != null ? accountList.get(s) : LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address();
      list.add(new FederationFile.Site(siteId(s), "file:" + sitePrefix(root, s), account, 1.0, List.of(),
          accountList != null ? FederationFile.SiteKey.DEFAULT : new FederationFile.SiteKey.Dev(s + 1)));
      System.out.printf("%s: %6d examples -> %s%n", siteId(s), plan.sites()[s].length, root.resolve(siteId(s)));
    }
    FederationFile file = new FederationFile(list, new HashSet<>());
    Path json = out.resolve("federation.json");
    Files.write(json, file.toJson());
    System.out.println("federation file: " + json.toAbsolutePath());
    return 0;
  }

  /** Reads, cuts and writes in this JVM. */
  private Plan splitHere(Path root) throws IOException {
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, data, limit);
    Plan plan = plan(all.labels());
    if (plan.holdout().length > 0) {
      IdxWriter.write(conf, validationPrefix(root), all, plan.holdout());
    }
    for (int s = 0; s < sites; s++) {
      IdxWriter.write(conf, sitePrefix(root, s), all, plan.sites()[s]);
    }
    return plan;
  }

  /** The same cut as Spark DataFrame operations: see {@link FramePrep}. */
  private Plan splitWithDataFrames(Path root) throws IOException {
    spark.apply();
    SparkConf conf = SparkContexts.conf("SparkGrid split", "local[*]");
    GpuPreflight.checkSchedulable(SparkContexts.settings(conf)); // ND4J's backend does not matter here: no training
    try (SparkSession session = SparkSession.builder().config(conf).getOrCreate()) {
      DataSpec spec = new DataSpec(DataSpec.Format.IDX, data, null, 0, false, null, DataSpec.Normalization.NONE, limit);
      DataSource source = DataSource.train(spec);
      int[] shape = source.shape(session.sparkContext().hadoopConfiguration());
      Dataset<Row> frame = FramePrep.decode(session, source, partitions).cache();
      Plan plan = plan(FramePrep.labels(frame));
      writeSites(FramePrep.assign(session, frame, plan.sites(), plan.holdout()), root, shape,
          new ConfEntries(session.sparkContext().hadoopConfiguration()));
      return plan;
    }
  }

  /** Writes each site's rows, ordered by their place in the file, from the executor that holds them. */
  static void writeSites(Dataset<Row> assigned, Path root, int[] shape, ConfEntries conf) {
    String dir = root.toString();
    int parts = Math.max(1, (int) assigned.select(FramePrep.SITE).distinct().count());
    assigned.repartition(parts, col(FramePrep.SITE))
        .sortWithinPartitions(FramePrep.SITE, FramePrep.POS)
        .as(Encoders.bean(FramePrep.Placed.class))
        .foreachPartition((ForeachPartitionFunction<FramePrep.Placed>) rows -> {
          Configuration c = conf.toConfiguration();
          List<FramePrep.Placed> run = new ArrayList<>();
          while (rows.hasNext()) {
            FramePrep.Placed e = rows.next();
            if (!run.isEmpty() && run.get(0).getSite() != e.getSite()) {
              writeRun(c, Path.of(dir), shape, run);
              run.clear();
            }
            run.add(e);
          }
          if (!run.isEmpty()) {
            writeRun(c, Path.of(dir), shape, run);
          }
        });
  }

  private static void writeRun(Configuration conf, Path root, int[] shape, List<FramePrep.Placed> run)
      throws IOException {
    int d = run.get(0).getFeatures().length;
    float[] x = new float[run.size() * d];
    int[] y = new int[run.size()];
    for (int i = 0; i < run.size(); i++) {
      System.arraycopy(run.get(i).getFeatures(), 0, x, i * d, d);
      y[i] = run.get(i).getLabel();
    }
    int site = run.get(0).getSite();
    String prefix = site == FramePrep.HOLDOUT ? validationPrefix(root) : sitePrefix(root, site);
    IdxWriter.write(conf, prefix, ExampleShard.of(shape, x, y), java.util.stream.IntStream.range(0, y.length).toArray());
  }

  /** The holdout and the sites, from the labels in example order: the same for both engines. */
  Plan plan(int[] labels) {
    if (holdout < 0 || holdout >= labels.length) {
      throw new IllegalArgumentException("--holdout must be in [0, " + labels.length + "), got " + holdout);
    }
    int[] order = Minibatches.shuffledOrder(labels.length, seed);
    int[] held = Arrays.copyOfRange(order, 0, holdout);
    int[] rest = Arrays.copyOfRange(order, holdout, order.length);
    int[] restLabels = new int[rest.length];
    for (int i = 0; i < rest.length; i++) {
      restLabels[i] = labels[rest[i]];
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
    return new Plan(held, split);
  }

  private static String siteId(int s) {
    return String.format("site-%02d", s + 1);
  }

  private static String sitePrefix(Path root, int s) {
    return root.resolve(siteId(s)).resolve("train").toString();
  }

  private static String validationPrefix(Path root) {
    return root.resolve("coordinator").resolve("validation").toString();
  }
}
