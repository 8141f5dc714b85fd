package org.sparkgrid.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.jobs.resources.SparkContexts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkgrid quickstart}: the quickstart CNN on Fashion-MNIST, on local Spark with 2 workers. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Train the quickstart CNN on Fashion-MNIST with 2 workers and register it.")
public final class QuickstartCommand implements Callable<Integer> {

  /** Where Debian's dataset-fashion-mnist package puts the data. */
  static final String FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

  @Option(names = "--request", paramLabel = "FILE",
      description = "The quickstart request (default: $SPARKGRID_CONF_DIR/requests/quickstart-cnn.json)")
  Path request;

  @Option(names = "--epochs", description = "Override training.epochs")
  Integer epochs;

  @Mixin SparkOptions spark = new SparkOptions();

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(Path.of(FASHION_MNIST, "train-images-idx3-ubyte.gz"))) {
      throw new IllegalArgumentException("Fashion-MNIST is not installed in " + FASHION_MNIST
          + "; install it with: sudo apt-get update && sudo apt-get install -y dataset-fashion-mnist");
    }
    Path file = request != null ? request : defaultRequest();
    TrainingRequest req = RequestCodec.parse(Files.readAllBytes(file));
    if (epochs != null) {
      Map<String, Object> o = new HashMap<>();
      o.put("training.epochs", epochs);
      req = RequestCodec.withOverrides(req, o);
    }
    spark.apply();
    SparkConf conf = SparkContexts.conf("SparkGrid quickstart", "local[*]");
    SparkGridConfig config = SparkContexts.sparkGridConfig(conf);
    String jobId = req.id() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return TrainCommand.runAndReport(conf, config, req, null, jobId, System.out);
  }

  private static Path defaultRequest() {
    String dir = System.getenv("SPARKGRID_CONF_DIR");
    Path p = Path.of(dir != null ? dir : "conf", "requests", "quickstart-cnn.json");
    if (!Files.exists(p)) {
      throw new IllegalArgumentException("quickstart request " + p.toAbsolutePath()
          + " not found; run from the SparkGrid directory or pass --request FILE");
    }
    return p;
  }
}
