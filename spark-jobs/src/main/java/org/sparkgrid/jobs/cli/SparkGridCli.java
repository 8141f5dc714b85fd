package org.sparkgrid.jobs.cli;

import java.io.PrintWriter;
import java.util.NoSuchElementException;
import org.sparkgrid.core.request.InvalidRequestException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sparkgrid} command line, as {@code bin/sparkgrid} runs it.
 *
 * <pre>
 * bin/sparkgrid quickstart                      # train the quickstart CNN on Fashion-MNIST
 * bin/sparkgrid train --request req.json        # train a request on local Spark
 * bin/sparkgrid train --resume JOB              # continue a killed run from its last checkpoint
 * bin/sparkgrid models [NAME]                   # registered models, or NAME's versions
 * bin/sparkgrid split --data P --sites N --out D # cut a dataset into site directories + federation.json
 * bin/sparkgrid federation add --name N --file F # register a federation (sites, accounts, pool cap, budget)
 * bin/sparkgrid federate --request tree.json    # tree mode: sites train locally, updates merge per round
 * bin/sparkgrid serve --embedded-kafka           # the request service, with a Kafka broker of its own
 * bin/sparkgrid submit req.json --wait          # send a request to the service and follow it
 * bin/sparkgrid report JOB                      # an HTML page with the job's plots
 * bin/sparkgrid exclude-site JOB SITE           # leave a site out of a running federation's next rounds
 * bin/sparkgrid requester add --name N --account 0x.. --roles submit  # who may submit (requester registry)
 * bin/sparkgrid audit --job JOB                 # verdicts on requests and control commands
 * </pre>
 *
 * <p>Exit status: 0 success, 2 bad input (the one line printed says what to fix), 1 any other failure.
 */
@Command(
    name = "sparkgrid",
    mixinStandardHelpOptions = true,
    versionProvider = SparkGridCli.Version.class,
    description = "Train neural networks on Apache Spark.",
    subcommands = {TrainCommand.class, QuickstartCommand.class, ModelsCommand.class, FederateCommand.class,
        SplitCommand.class, FederationCommands.FederationCmd.class, ServiceCommands.Serve.class, ServiceCommands.Submit.class, ServiceCommands.Jobs.class,
        ServiceCommands.JobCmd.class, ServiceCommands.Cancel.class, ServiceCommands.ExcludeSite.class,
        ChainCommands.ChainCmd.class, RequesterCommands.RequesterCmd.class, RequesterCommands.Audit.class,
        RewardsCommands.Rewards.class, RewardsCommands.Balance.class, RewardsCommands.Escrow.class, ReportCommand.class,
        CommandLine.HelpCommand.class})
public final class SparkGridCli implements Runnable {

  /** Exit status for bad input. */
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: quickstart, train, models, split, federation, federate, serve, submit, jobs, job,"
        + " cancel, exclude-site, chain, requester, audit, rewards, balance, escrow or report");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit status (no System.exit, for tests and TrainJob). */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new SparkGridCli());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      Throwable root = ex;
      PrintWriter err = cmd.getErr();
      if (isBadInput(root)) {
        err.println("sparkgrid: " + root.getMessage());
        return BAD_INPUT;
      }
      err.println("sparkgrid: failed: " + root);
      root.printStackTrace(err);
      return 1;
    });
    cl.setParameterExceptionHandler((ex, a) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("sparkgrid: " + ex.getMessage());
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      return BAD_INPUT;
    });
    return cl.execute(args);
  }

  /** Whether a failure was caused by what the user gave (a request, a path, a reference) rather than a fault. */
  static boolean isBadInput(Throwable t) {
    return t instanceof InvalidRequestException
        || t instanceof IllegalArgumentException
        || t instanceof NoSuchElementException
        || t instanceof java.io.FileNotFoundException
        || t instanceof org.sparkgrid.jobs.data.InvalidDataException
        || t instanceof org.sparkgrid.settlement.chain.RevertedException
        || t instanceof org.sparkgrid.settlement.chain.Fees.FeeCeilingException;
  }

  /** Prints the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SparkGridCli.class.getPackage().getImplementationVersion();
      return new String[] {"SparkGrid " + (v == null ? "(development build)" : v)};
    }
  }
}
