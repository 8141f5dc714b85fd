package org.sparkgrid.ingest.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sparkgrid.ingest.Refusal;
import org.sparkgrid.ingest.RequestRouter;

/**
 * How many request records one thread decides per second: UTF-8 check, JSON parse, field and
 * cross-field validation, key check, routing ({@link RequestRouter#route}). Kafka and the job
 * store are left out. Printed next to a baseline measured in the same run: a bare Jackson
 * {@code readTree} of the same bytes.
 *
 * <pre>
 * java -cp ingest/target/classes:$(cat cp.txt) org.sparkgrid.ingest.bench.ValidationThroughput [seconds]
 * </pre>
 *
 * <p>The mix, per 20 records: 10 compute requests like {@code conf/requests/fmnist-mlp.json}, 6
 * with a sweep, and 4 refused (not JSON, bad UTF-8, unknown schema, a field out of range).
 */
public final class ValidationThroughput {

  private ValidationThroughput() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
    List<byte[][]> records = mix(1000);
    RequestRouter router = new RequestRouter(RequestRouter.DEFAULT_MAX_REQUEST_BYTES);
    ObjectMapper mapper = new ObjectMapper();

    // warm-up, then measure
    Work jackson = r -> {
      try {
        mapper.readTree(r[1]);
      } catch (java.io.IOException e) {
        // a refused record: the parse failed, as in the router
      }
    };
    measure(records, seconds / 2, jackson);
    measure(records, seconds / 2, r -> router.route(r[0], r[1], null));
    double baseline = measure(records, seconds, jackson);
    long refused = records.stream().filter(r -> router.route(r[0], r[1], null) instanceof Refusal).count();
    double routed = measure(records, seconds, r -> router.route(r[0], r[1], null));
    System.out.printf(Locale.ROOT, "ValidationThroughput (1 thread, %d-record mix, %d refused, %.1f s each)%n",
        records.size(), refused, seconds);
    System.out.printf(Locale.ROOT, "  baseline Jackson readTree only:      %,10.0f records/s%n", baseline);
    System.out.printf(Locale.ROOT, "  RequestRouter.route (parse+validate): %,10.0f records/s (%.2fx of baseline; target >= 5,000)%n",
        routed, routed / baseline);
  }

  @FunctionalInterface
  private interface Work {
    void run(byte[][] keyAndValue) throws Exception;
  }

  private static double measure(List<byte[][]> records, double seconds, Work work) throws Exception {
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long n = 0;
    while (System.nanoTime() < end) {
      for (byte[][] r : records) {
        work.run(r);
      }
      n += records.size();
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * Records/s of {@link RequestRouter#route} on one thread over {@code records} (key, value), after
   * a warm-up of half as long: the figure this benchmark prints, for other benchmarks to print
   * next to theirs.
   */
  public static double routeRate(List<byte[][]> records, double seconds) throws Exception {
    RequestRouter router = new RequestRouter(RequestRouter.DEFAULT_MAX_REQUEST_BYTES);
    measure(records, seconds / 2, r -> router.route(r[0], r[1], null));
    return measure(records, seconds, r -> router.route(r[0], r[1], null));
  }

  /**
   * {@code n} records (key, value) of the mix above, keys and ids {@code bench-0, bench-1, ...};
   * records {@code i} with {@code i % 20 < 4} are refused.
   */
  public static List<byte[][]> mix(int n) {
    List<byte[][]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = "bench-" + i;
      String json;
      switch (i % 20) {
        case 0 -> json = "{\"schema\": 1, \"id\": \"" + id + "\", \"model\": {\"name\": ";  // not JSON
        case 1 -> json = request(id).replace("\"schema\": 1", "\"schema\": 7");            // unknown schema
        case 2 -> json = request(id).replace("\"batchSize\": 64", "\"batchSize\": 0");     // out of range
        case 3 -> json = null;                                                             // bad UTF-8
        case 4, 5, 6, 7, 8, 9 -> json = sweep(id);
        default -> json = request(id);
      }
      byte[] value = json == null ? new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'} : json.getBytes(StandardCharsets.UTF_8);
      out.add(new byte[][] {id.getBytes(StandardCharsets.UTF_8), value});
    }
    return out;
  }

  private static String request(String id) {
    return """
        {"schema": 1, "id": "%s",
         "model": {"name": "fmnist-mlp", "architecture": "mlp", "mlp": {"hidden": [256, 128], "activation": "relu", "dropout": 0.0}},
         "data": {"format": "idx", "train": "file:/usr/share/datasets/fashion-mnist/train",
                  "test": "file:/usr/share/datasets/fashion-mnist/t10k"},
         "training": {"epochs": 10, "batchSize": 64, "seed": 42, "updater": {"type": "adam", "learningRate": 0.001}},
         "engine": {"workers": 2, "averagingFrequency": 10}}""".formatted(id);
  }

  private static String sweep(String id) {
    return request(id).replace("\"engine\": {\"workers\": 2, \"averagingFrequency\": 10}}",
        "\"engine\": {\"workers\": 2, \"averagingFrequency\": 10},"
            + " \"sweep\": {\"parameters\": {\"training.updater.learningRate\": [0.0005, 0.001, 0.005]}}}");
  }
}
