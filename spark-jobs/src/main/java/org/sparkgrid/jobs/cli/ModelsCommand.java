package org.sparkgrid.jobs.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.jobs.store.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sparkgrid models [NAME]}: the registered models, or one model's versions. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "List registered models, or the versions of NAME with their test accuracy.")
public final class ModelsCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "NAME", description = "A model name")
  String name;

  @Mixin SparkOptions spark = new SparkOptions();

  @Override
  public Integer call() throws Exception {
    SparkGridConfig config = ServiceCommands.config(spark);
    ModelStore store = Stores.models(config, new Configuration());
    if (name == null) {
      List<String> names = store.names();
      if (names.isEmpty()) {
        System.out.println("no models in " + config.storeRoot() + " yet; try: bin/sparkgrid quickstart");
      }
      for (String n : names) {
        List<ModelVersion> vs = store.versions(n);
        System.out.printf("%-32s %3d version(s), latest %d%n", n, vs.size(),
            vs.isEmpty() ? 0 : vs.get(vs.size() - 1).version());
      }
      return 0;
    }
    List<ModelVersion> versions = store.versions(name);
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("no model named '" + name + "' in " + config.storeRoot()
          + " (models: " + store.names() + ")");
    }
    System.out.printf("%-8s %-10s %-26s %s%n", "VERSION", "ACCURACY", "CREATED", "URI");
    for (ModelVersion v : versions) {
      System.out.printf("%-8d %-10s %-26s %s%n", v.version(),
          v.accuracy() == null ? "-" : String.format("%.4f", v.accuracy()), v.createdAt(), v.uri());
    }
    return 0;
  }
}
