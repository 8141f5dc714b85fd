package org.sparkgrid.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.split.DatasetSplits;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.settlement.chain.LocalChain;

/**
 * Fashion-MNIST's training set cut for a tree-mode benchmark as {@link FederatedBenchmark} cuts it:
 * 2,000 examples (seed 42) kept as the coordinator's validation set, the other 58,000 split into
 * sites by Dirichlet(alpha) over labels (seed 42), each site's part written as IDX files in its own
 * directory, and a federation file naming the sites with development keys.
 *
 * <pre>{@code
 * FederatedSplit split = FederatedSplit.write(Files.createTempDirectory("bench"), 8, 0.3);
 * // request: "train": "file:" + split.validation(), "federation": {"sites": "file:" + split.federation(), ...}
 * }</pre>
 *
 * @param federation the federation file
 * @param validation the coordinator's validation set (IDX)
 * @param siteSizes  each site's number of examples, in site order
 * @param train      the 58,000 examples the sites share (a centralized baseline trains on them)
 */
record FederatedSplit(Path federation, Path validation, int[] siteSizes, ExampleShard train) {
  /** Where Debian's {@code dataset-fashion-mnist} puts the IDX files. */
  static final String DATA = "/usr/share/datasets/fashion-mnist/";

  /** Cuts and writes the split under {@code work}. */
  static FederatedSplit write(Path work, int sites, double alpha) throws IOException {
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, DATA + "train", null);
    int[] order = Minibatches.shuffledOrder(all.count(), 42);
    Path validation = work.resolve("validation");
    IdxWriter.write(conf, validation.toString(), all, Arrays.copyOfRange(order, 0, 2000));
    ExampleShard train = ExampleShard.concat(Arrays.stream(Arrays.copyOfRange(order, 2000, order.length))
        .mapToObj(i -> all.slice(i, i + 1)).toList());
    int[][] split = DatasetSplits.dirichlet(train.labels(), sites, alpha, 42);
    List<FederationFile.Site> list = new ArrayList<>();
    int[] sizes = new int[sites];
    for (int s = 0; s < sites; s++) {
      String id = String.format("site-%02d", s + 1);
      Path dir = work.resolve(id);
      Files.createDirectories(dir);
      IdxWriter.write(conf, dir.resolve("train").toString(), train, split[s]);
      sizes[s] = split[s].length;
      list.add(new FederationFile.Site(id, "file:" + dir.resolve("train"),
          LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address(), 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    Path federation = work.resolve("federation.json");
    Files.write(federation, new FederationFile(list, new HashSet<>()).toJson());
    return new FederatedSplit(federation, validation, sizes, train);
  }
}
