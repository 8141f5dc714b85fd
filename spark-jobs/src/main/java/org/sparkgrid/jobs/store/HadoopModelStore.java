package org.sparkgrid.jobs.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkgrid.core.store.ModelArtifacts;
import org.sparkgrid.core.store.ModelRef;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.core.store.StoreJson;
import org.sparkgrid.core.store.StoreNames;
import org.sparkgrid.core.store.VersionSelection;

/**
 * A {@link ModelStore} on any Hadoop file system: {@code file://} on one machine, {@code hdfs://}
 * on a cluster. A publish writes {@code <root>/models/<name>/_tmp-<uuid>/} and renames it to the
 * next version number; when another publisher takes that number first, the rename fails and the
 * publish tries the number after it.
 *
 * <pre>{@code
 * ModelStore store = new HadoopModelStore("hdfs://nn:8020/sparkgrid", spark.sparkContext().hadoopConfiguration());
 * ModelVersion v = store.publish("fmnist-cnn", ModelArtifacts.builder()
 *     .model(out -> ModelSerializer.writeModel(net, out, true))
 *     .metric("accuracy", 0.91)
 *     .build());
 * }</pre>
 *
 * <p>Racing publishers get distinct numbers on HDFS and on the local file system, whose renames
 * are atomic; object stores (s3a) rename by copying and give no such guarantee.
 */
public final class HadoopModelStore implements ModelStore {

  /** Directory under the root that holds the models. */
  public static final String MODELS_DIR = "models";

  private static final Logger LOG = LoggerFactory.getLogger(HadoopModelStore.class);
  private static final Pattern VERSION_DIR = Pattern.compile("[1-9][0-9]{0,8}");
  private static final int MAX_PUBLISH_ATTEMPTS = 1000;

  private final StoreFileSystem sfs;
  private final IntConsumer beforeClaim;

  /**
   * @param rootUri the store root, e.g. {@code hdfs://nn:8020/sparkgrid} or {@code file:/home/me/.sparkgrid/store}
   * @param conf    the Hadoop configuration that reaches it
   * @throws UncheckedIOException if no file system serves {@code rootUri}
   */
  public HadoopModelStore(String rootUri, Configuration conf) {
    this(rootUri, conf, version -> {});
  }

  /** For tests: {@code beforeClaim} runs with each version number a publish has chosen, just before it renames. */
  HadoopModelStore(String rootUri, Configuration conf, IntConsumer beforeClaim) {
    this.sfs = new StoreFileSystem(rootUri, conf);
    this.beforeClaim = Objects.requireNonNull(beforeClaim, "beforeClaim");
  }

  /** The qualified root URI. */
  public String rootUri() {
    return sfs.root().toString();
  }

  @Override
  public ModelVersion publish(String name, ModelArtifacts artifacts) {
    StoreNames.requireModelName(name);
    Objects.requireNonNull(artifacts, "artifacts");
    Instant publishedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Map<String, Object> lineage = new LinkedHashMap<>(artifacts.lineage());
    lineage.put(PUBLISHED_AT, publishedAt.toString());
    byte[] metricsJson = StoreJson.write(artifacts.metrics());
    byte[] lineageJson = StoreJson.write(lineage);

    Path modelDir = modelDir(name);
    Path tmp = StoreFileSystem.tmpPath(modelDir, "");
    boolean renamed = false;
    try {
      sfs.write(new Path(tmp, MODEL_FILE), artifacts.model());
      sfs.write(new Path(tmp, METRICS_FILE), metricsJson);
      sfs.write(new Path(tmp, LINEAGE_FILE), lineageJson);
      for (int attempt = 1; attempt <= MAX_PUBLISH_ATTEMPTS; attempt++) {
        int version = highestVersion(name) + 1;
        Path versionDir = versionDir(name, version);
        beforeClaim.accept(version);
        if (sfs.renameNoReplace(tmp, versionDir)) {
          renamed = true;
          LOG.info("published {}@{} at {}", name, version, versionDir);
          return new ModelVersion(name, version, versionDir.toString(), publishedAt, artifacts.accuracy());
        }
        LOG.debug("version {} of {} was taken by another publisher; trying the next", version, name);
      }
      throw new IllegalStateException("could not publish model '" + name + "': lost the race for a version number "
          + MAX_PUBLISH_ATTEMPTS + " times");
    } catch (IOException e) {
      throw new UncheckedIOException("could not publish model '" + name + "' under " + modelDir + ": " + e.getMessage(), e);
    } finally {
      if (!renamed) {
        sfs.deleteQuietly(tmp);
      }
    }
  }

  @Override
  public ModelVersion resolve(ModelRef ref) {
    Objects.requireNonNull(ref, "ref");
    return VersionSelection.select(ref, versions(ref.name()));
  }

  @Override
  public List<ModelVersion> versions(String name) {
    StoreNames.requireModelName(name);
    try {
      List<ModelVersion> versions = new ArrayList<>();
      for (int number : versionNumbers(name)) {
        versions.add(readVersion(name, number));
      }
      return versions;
    } catch (IOException e) {
      throw new UncheckedIOException("could not list versions of model '" + name + "': " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> names() {
    try {
      List<String> names = new ArrayList<>();
      for (String name : sfs.listDirectories(new Path(sfs.root(), MODELS_DIR))) {
        if (ModelRef.isValidName(name) && !versionNumbers(name).isEmpty()) {
          names.add(name);
        }
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("could not list models under " + sfs.root() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream open(ModelVersion version, String file) {
    StoreNames.requireFileName(file);
    Path versionDir = versionDir(version.name(), version.version());
    try {
      return sfs.open(new Path(versionDir, file));
    } catch (FileNotFoundException e) {
      throw new NoSuchElementException(missing(version, file, versionDir));
    } catch (IOException e) {
      throw new UncheckedIOException("could not open " + new Path(versionDir, file) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void updateLineage(ModelVersion version, Map<String, Object> additions) {
    Objects.requireNonNull(additions, "additions");
    if (additions.containsKey(PUBLISHED_AT)) {
      throw new IllegalArgumentException("lineage key '" + PUBLISHED_AT + "' is set by the store when it publishes"
          + " and cannot be updated");
    }
    Path versionDir = versionDir(version.name(), version.version());
    Path lineageFile = new Path(versionDir, LINEAGE_FILE);
    Path tmp = StoreFileSystem.tmpPath(versionDir, "-" + LINEAGE_FILE);
    boolean renamed = false;
    try {
      Map<String, Object> lineage;
      try {
        lineage = StoreJson.read(sfs.open(lineageFile), lineageFile.toString());
      } catch (FileNotFoundException e) {
        throw new NoSuchElementException(missing(version, LINEAGE_FILE, versionDir));
      }
      lineage.putAll(additions);
      sfs.write(tmp, StoreJson.write(lineage));
      sfs.renameReplace(tmp, lineageFile);
      renamed = true;
    } catch (IOException e) {
      throw new UncheckedIOException("could not update " + lineageFile + ": " + e.getMessage(), e);
    } finally {
      if (!renamed) {
        sfs.deleteQuietly(tmp);
      }
    }
  }

  private String missing(ModelVersion version, String file, Path versionDir) {
    try {
      if (!sfs.exists(versionDir)) {
        return "model " + version.ref() + " does not exist (versions: " + versionNumbers(version.name()) + ")";
      }
      return "model " + version.ref() + " has no file '" + file + "' (files: " + sfs.listFiles(versionDir) + ")";
    } catch (IOException e) {
      return "model " + version.ref() + " has no file '" + file + "'";
    }
  }

  private ModelVersion readVersion(String name, int number) throws IOException {
    Path versionDir = versionDir(name, number);
    Path metricsFile = new Path(versionDir, METRICS_FILE);
    Path lineageFile = new Path(versionDir, LINEAGE_FILE);
    Map<String, Object> metrics = StoreJson.read(sfs.open(metricsFile), metricsFile.toString());
    Map<String, Object> lineage = StoreJson.read(sfs.open(lineageFile), lineageFile.toString());
    Double accuracy;
    try {
      accuracy = ModelArtifacts.accuracyOf(metrics);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(metricsFile + ": " + e.getMessage(), e);
    }
    Object publishedAt = lineage.get(PUBLISHED_AT);
    Instant createdAt;
    try {
      createdAt = Instant.parse(String.valueOf(publishedAt));
    } catch (DateTimeParseException e) {
      throw new IllegalStateException(lineageFile + ": '" + PUBLISHED_AT + "' must be an ISO-8601 instant."
          + " Current value is " + publishedAt, e);
    }
    return new ModelVersion(name, number, versionDir.toString(), createdAt, accuracy);
  }

  /** The version numbers of {@code name}, ascending; directories not named by a positive integer are ignored. */
  private List<Integer> versionNumbers(String name) throws IOException {
    List<Integer> numbers = new ArrayList<>();
    for (String dir : sfs.listDirectories(modelDir(name))) {
      if (VERSION_DIR.matcher(dir).matches()) {
        numbers.add(Integer.parseInt(dir));
      }
    }
    numbers.sort(null);
    return numbers;
  }

  private int highestVersion(String name) throws IOException {
    List<Integer> numbers = versionNumbers(name);
    return numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1);
  }

  private Path modelDir(String name) {
    return new Path(new Path(sfs.root(), MODELS_DIR), name);
  }

  private Path versionDir(String name, int version) {
    return new Path(modelDir(name), Integer.toString(version));
  }
}
