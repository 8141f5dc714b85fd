package org.sparkgrid.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.internal.config.ConfigEntry$;
import org.apache.spark.internal.config.Network$;
import org.apache.spark.internal.config.UI$;
import org.junit.jupiter.api.Test;

/**
 * The list of Spark keys that conf/ may set (core/src/test/resources/known-spark-keys.txt, which
 * ShippedSparkConfTest checks the conf files against) holds no typo: each plain Spark key in it is one
 * that Spark 3.5 itself declares. Keys Spark builds at run time (resource amounts, executorEnv.*) and
 * RAPIDS keys cannot be looked up this way; their sources are named in the file.
 */
class KnownSparkKeysTest {

  @Test
  void everyDeclaredSparkKeyInTheListIsOneSparkKnows() throws Exception {
    List<String> keys = Files.readAllLines(Path.of("..", "core", "src", "test", "resources", "known-spark-keys.txt"))
        .stream().map(String::strip)
        .filter(l -> l.startsWith("spark.") && !l.endsWith("*") && !l.startsWith("spark.rapids.")
            && !l.contains(".resource."))
        .toList();
    // Spark registers each key when the object declaring it is first used
    List<Object> declaring = List.of(org.apache.spark.internal.config.package$.MODULE$, UI$.MODULE$, Network$.MODULE$);

    assertThat(declaring).doesNotContainNull();
    assertThat(keys).hasSizeGreaterThan(5)
        .allSatisfy(k -> assertThat(ConfigEntry$.MODULE$.findEntry(k)).as("Spark declares %s", k).isNotNull());
  }
}
