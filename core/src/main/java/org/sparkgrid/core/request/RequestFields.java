package org.sparkgrid.core.request;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request's single-value rules and its field names, declared once. The reader, the writer,
 * the sweep check and {@link RequestCodec#withOverrides} all use these.
 */
final class RequestFields {

  private RequestFields() {}

  static final List<String> TOP = List.of(
      "schema", "id", "mode", "model", "data", "training", "engine", "sweep", "federation", "reward");
  static final List<String> MODEL = List.of("name", "architecture", "initFrom", "mlp", "cnn", "dl4j");
  static final List<String> MLP = List.of("hidden", "activation", "dropout");
  static final List<String> CNN = List.of("conv", "dense", "activation", "dropout");
  static final List<String> CONV = List.of("filters", "kernel", "stride", "pool");
  static final List<String> DATA = List.of(
      "format", "train", "test", "labelColumn", "header", "classes", "normalization", "limit");
  static final List<String> TRAINING = List.of("epochs", "batchSize", "seed", "l2", "updater", "timeouts");
  static final List<String> TIMEOUTS = List.of("dataMs", "trainMs", "checkpointMs");
  static final List<String> UPDATER = List.of("type", "learningRate", "momentum");
  static final List<String> ENGINE = List.of("type", "workers", "averagingFrequency", "shuffle", "resources");
  static final List<String> RESOURCES = List.of("cores", "memoryMb", "gpus");
  static final List<String> SWEEP = List.of("parameters", "method", "trials", "maxConcurrent", "select");
  static final List<String> FEDERATION = List.of(
      "name", "siteIds", "sites", "rounds", "localEpochs", "fraction", "minSites", "roundTimeoutMs", "strategy", "belowMinSites",
      "minSitesRetries", "minSitesRetryDelayMs", "learningRateDecay");
  static final List<String> REWARD = List.of("poolPerRound", "scoring");

  static final FieldRule.Choice ACTIVATION = new FieldRule.Choice("relu", "leakyrelu", "tanh", "sigmoid", "elu", "gelu");
  static final FieldRule.RealRange DROPOUT = new FieldRule.RealRange(0, true, 1, false);
  static final FieldRule.IntRange LAYER_SIZE = new FieldRule.IntRange(1, 65536);
  static final int MAX_LAYERS = 64;
  static final FieldRule.IntRange FILTERS = new FieldRule.IntRange(1, 4096);
  static final FieldRule.IntRange KERNEL = new FieldRule.IntRange(1, 15);
  static final FieldRule.IntRange STRIDE = new FieldRule.IntRange(1, 15);
  static final FieldRule.IntRange POOL = new FieldRule.IntRange(1, 16);

  static final FieldRule.IntRange LABEL_COLUMN = new FieldRule.IntRange(0, 1_000_000);
  static final FieldRule.IntRange CLASSES = new FieldRule.IntRange(2, 100_000);
  static final FieldRule.IntRange LIMIT = new FieldRule.IntRange(1, Integer.MAX_VALUE);

  static final FieldRule.IntRange EPOCHS = new FieldRule.IntRange(1, 10_000);
  static final FieldRule.IntRange BATCH_SIZE = new FieldRule.IntRange(1, 65_536);
  static final FieldRule.LongRange SEED = new FieldRule.LongRange(Long.MIN_VALUE, Long.MAX_VALUE);
  static final FieldRule.RealRange L2 = new FieldRule.RealRange(0, true, 1, true);
  static final FieldRule.Choice UPDATER_TYPE = new FieldRule.Choice("sgd", "nesterovs", "adam", "rmsprop", "adagrad");
  static final FieldRule.RealRange LEARNING_RATE = new FieldRule.RealRange(0, false, 10, true);
  static final FieldRule.RealRange MOMENTUM = new FieldRule.RealRange(0, true, 1, false);
  static final FieldRule.LongRange TIMEOUT_MS = new FieldRule.LongRange(0, TimeoutSpec.MAX_MS);

  static final FieldRule.Choice ENGINE_TYPE = new FieldRule.Choice(EngineSpec.SPARKGRID, EngineSpec.DL4J);
  static final FieldRule.IntRange WORKERS = new FieldRule.IntRange(1, 4096);
  static final FieldRule.IntRange AVERAGING_FREQUENCY = new FieldRule.IntRange(1, 10_000);
  static final FieldRule.IntRange CORES = new FieldRule.IntRange(1, 1024);
  static final FieldRule.IntRange MEMORY_MB = new FieldRule.IntRange(1, 16 * 1024 * 1024);
  static final FieldRule.IntRange GPUS = new FieldRule.IntRange(0, 64);

  static final FieldRule.Choice SWEEP_METHOD = new FieldRule.Choice("grid", "random");
  static final FieldRule.IntRange TRIALS = new FieldRule.IntRange(1, 10_000);
  static final FieldRule.IntRange MAX_CONCURRENT = new FieldRule.IntRange(1, 64);
  static final FieldRule.Choice SELECT = new FieldRule.Choice("accuracy", "loss");

  static final FieldRule.IntRange ROUNDS = new FieldRule.IntRange(1, 100_000);
  static final FieldRule.IntRange LOCAL_EPOCHS = new FieldRule.IntRange(1, 1000);
  static final FieldRule.RealRange FRACTION = new FieldRule.RealRange(0, false, 1, true);
  static final FieldRule.RealRange LEARNING_RATE_DECAY = new FieldRule.RealRange(0, false, 1, true);
  static final FieldRule.IntRange MIN_SITES = new FieldRule.IntRange(1, Integer.MAX_VALUE);
  static final FieldRule.LongRange ROUND_TIMEOUT_MS = new FieldRule.LongRange(1000, Long.MAX_VALUE);
  static final FieldRule.Choice BELOW_MIN_SITES = new FieldRule.Choice(FederationSpec.FAIL, FederationSpec.WAIT);
  static final FieldRule.IntRange MIN_SITES_RETRIES = new FieldRule.IntRange(1, 1000);
  static final FieldRule.LongRange MIN_SITES_RETRY_DELAY_MS = new FieldRule.LongRange(0, 3_600_000);

  static final FieldRule.Choice SCORING = new FieldRule.Choice("loss-improvement", "shapley", "examples");
  static final int MAX_POOL_DIGITS = 78;

  /** Request paths a sweep may vary (and {@link RequestCodec#withOverrides} may set), with their rules. */
  static final Map<String, FieldRule> SWEEPABLE = sweepable();

  private static Map<String, FieldRule> sweepable() {
    Map<String, FieldRule> m = new LinkedHashMap<>();
    m.put("training.updater.learningRate", LEARNING_RATE);
    m.put("training.updater.type", UPDATER_TYPE);
    m.put("training.updater.momentum", MOMENTUM);
    m.put("training.batchSize", BATCH_SIZE);
    m.put("training.epochs", EPOCHS);
    m.put("training.l2", L2);
    m.put("training.seed", SEED);
    m.put("engine.averagingFrequency", AVERAGING_FREQUENCY);
    m.put("engine.workers", WORKERS);
    m.put("model.mlp.dropout", DROPOUT);
    m.put("model.cnn.dropout", DROPOUT);
    m.put("model.mlp.activation", ACTIVATION);
    m.put("model.cnn.activation", ACTIVATION);
    return java.util.Collections.unmodifiableMap(m);
  }
}
