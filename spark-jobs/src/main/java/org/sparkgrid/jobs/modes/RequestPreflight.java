package org.sparkgrid.jobs.modes;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.Objects;
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
    checkFormat("data.train", data.train(), data, conf);
    if (data.test() != null) {
      checkFormat("data.test", data.test(), data, conf);
    }
    if (r.federation() != null) {
      checkFederation(r.federation(), data, conf);
    }
  }

  private static void checkFederation(FederationSpec fed, DataSpec data, Configuration conf) throws IOException {
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
      try {
        checkFormat("federation.sites", s.data(), data, conf);
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException("federation.sites", path, "site " + s.id() + "'s data: "
            + e.getMessage().substring(e.field().length() + 2));
      }
    }
  }

  /** Reads the header of the data at {@code path} in the request's format; a missing or bad file names {@code field}. */
  private static void checkFormat(String field, String path, DataSpec data, Configuration conf) throws IOException {
    try {
      if (data.format() == DataSpec.Format.IDX) {
        IdxReader.header(conf, path);
      } else {
        CsvReader.shape(conf, path, data.labelColumn(), data.header());
      }
    } catch (InvalidDataException | FileNotFoundException | AccessControlException | AccessDeniedException
        | IllegalArgumentException e) {
      throw new InvalidRequestException(field, path, e.getMessage());
    }
  }
}
