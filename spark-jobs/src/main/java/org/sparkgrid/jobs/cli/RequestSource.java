package org.sparkgrid.jobs.cli;

import picocli.CommandLine.Option;

/** {@code --request FILE} or {@code --resume JOB}, exactly one: what train and federate run. */
final class RequestSource {
  @Option(names = "--request", paramLabel = "FILE", required = true,
      description = "The request JSON (a local file or any Hadoop path)")
  String request;

  @Option(names = "--resume", paramLabel = "JOB", required = true,
      description = "Continue job JOB from its last checkpoint, with the request it started with")
  String resume;
}
