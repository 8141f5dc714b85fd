package org.sparkgrid.jobs.modes;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.AccessControlException;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.ingest.RequestCheck;
import org.sparkgrid.jobs.data.CsvReader;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.InvalidDataException;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.run.HadoopPathChecker;
import org.sparkgrid.jobs.tree.FederationRunner;

/**
 * The checks a request passes before it is stored or before Spark starts it: what would otherwise
 * fail only once the job runs. Each reads headers, never data, so it is fast:
 *
 * <ul>
 *   <li>{@code data.train}, {@code data.test}: exist ({@link RequestCodec#checkPaths}) and are
 *       readable; idx: both files' headers (magic numbers {@code 0x00000803} and
 *       {@code 0x00000801}, counts that agree) through {@link IdxReader#header}; csv: the first data
 *       line is readable text with enough columns ({@link CsvReader#shape})
 *   <li>{@code model}: the network is built (its configuration only, no weights) for the shape
 *       those headers give, so an architecture the data cannot feed is refused here: a CNN on flat
 *       CSV features, convolutions that shrink the image below one pixel, raw DL4J JSON whose dense
 *       first layer's {@code nIn} is not the examples' size or whose output is not
 *       {@code data.classes} wide
 *   <li>tree mode, {@code federation.sites}: the federation file exists and parses;
 *       {@code federation.minSites} is at most its number of sites; every site's account is on its
 *       allowlist (when it has one); every site's data exists and is readable in the request's format
 * </ul>
 *
 * <pre>{@code
 * RequestPreflight.check(request, new Configuration());   // throws InvalidRequestException naming the field
 * RequestConsumer.builder(kafka, store, events).check(RequestPreflight.of(sc.hadoopConfiguration())).build();
 * }</pre>
 */
public final class RequestPreflight {

  private RequestPreflight() {}

  /** The check as a {@link RequestCheck} for the service's request consumer, on {@code conf}'s file systems. */
  public static RequestCheck of(Configuration conf) {
    Objects.requireNonNull(conf, "conf");
    return r -> check(r, conf);
  }

  /**
   * Checks {@code r}'s data and federation file on {@code conf}'s file systems.
   *
   * @throws InvalidRequestException naming the field and the value ({@code data.train},
   *     {@code data.test}, {@code federation.sites}, {@code federation.minSites}) if the request would fail
   * @throws IOException if a file system cannot tell (it is down): not a refusal
   */
  public static void check(TrainingRequest r, Configuration conf) throws IOException {
    RequestCodec.checkPaths(r, new HadoopPathChecker(conf));
    DataSpec data = r.data();
    int[] shape = checkFormat("data.train", data.train(), data, conf);
    if (data.test() != null) {
      checkFormat("data.test", data.test(), data, conf);
    }
    checkArchitecture(r, shape);
    if (r.federation() != null) {
      checkFederation(r.federation(), data, shape, conf);
    }
  }

  private static void checkFederation(FederationSpec fed, DataSpec data, int[] shape, Configuration conf) throws IOException {
    String path = fed.sites();
    FederationFile federation;
    try {
      federation = FederationRunner.readFederation(path, conf);
    } catch (InvalidRequestException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("federation.sites", path, e.getMessage());
    } catch (FileNotFoundException | AccessControlException | AccessDeniedException e) {
      throw new InvalidRequestException("federation.sites", path, "cannot read " + path + ": " + e.getMessage());
    }
    int sites = federation.sites().size();
    if (fed.minSites() > sites) {
      throw new InvalidRequestException("federation.minSites", String.valueOf(fed.minSites()),
          "must be at most the " + sites + (sites == 1 ? " site" : " sites") + " of " + path + ", got "
              + fed.minSites());
    }
    for (FederationFile.Site s : federation.sites()) {
      if (!federation.allowed(s)) {
        throw new InvalidRequestException("federation.sites", path, "site " + s.id() + "'s account " + s.account()
            + " is not on the allowlist of " + path);
      }
    }
    for (FederationFile.Site s : federation.sites()) {
      int[] siteShape;
      try {
        siteShape = checkFormat("federation.sites", s.data(), data, conf);
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException("federation.sites", path, "site " + s.id() + "'s data: "
            + e.getMessage().substring(e.field().length() + 2));
      }
      if (!Arrays.equals(siteShape, shape)) {
        throw new InvalidRequestException("federation.sites", path, "site " + s.id() + "'s data " + s.data()
            + " has examples of shape " + Arrays.toString(siteShape) + ", data.train " + data.train() + " of shape "
            + Arrays.toString(shape) + ": the sites train the model the coordinator evaluates, so they must agree");
      }
    }
  }

  /**
   * Builds the request's network configuration for examples of {@code shape}: what the job does
   * first, without reading any data. The classes are {@code data.classes}, else (unknown before the
   * labels are read) the output width of a raw DL4J configuration, else 2, which no built-in
   * architecture's shape depends on.
   *
   * @throws InvalidRequestException naming the model field the builder named
   */
  static void checkArchitecture(TrainingRequest r, int[] shape) {
    Integer classes = r.data().classes();
    try {
      NetworkFactory.build(r.model(), r.training(), shape,
          classes != null ? classes : NetworkFactory.outputWidth(r.model()).orElse(2));
    } catch (IllegalArgumentException e) {
      Matcher m = MODEL_FIELD.matcher(e.getMessage());
      boolean named = m.lookingAt();
      String field = named ? m.group(1) : "model";
      String message = named && m.group(2) != null ? e.getMessage().substring(m.end()) : e.getMessage();
      throw new InvalidRequestException(field, r.model().architecture() == null ? null
          : r.model().architecture().wire(), message + " (data " + r.data().train() + ": examples of shape "
          + Arrays.toString(shape) + ")");
    }
  }

  private static final Pattern MODEL_FIELD = Pattern.compile("(model(?:\\.[A-Za-z0-9]+(?:\\[[0-9]+\\])?)+)(: )?");

  /**
   * Reads the header of the data at {@code path} in the request's format; a missing or bad file
   * names {@code field}.
   *
   * @return one example's shape
   */
  private static int[] checkFormat(String field, String path, DataSpec data, Configuration conf) throws IOException {
    try {
      if (data.format() == DataSpec.Format.IDX) {
        return IdxReader.header(conf, path).shape();
      } else {
        return CsvReader.shape(conf, path, data.labelColumn(), data.header());
      }
    } catch (InvalidDataException | FileNotFoundException | AccessControlException | AccessDeniedException
        | IllegalArgumentException e) {
      throw new InvalidRequestException(field, path, e.getMessage());
    }
  }
}
