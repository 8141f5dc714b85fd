package org.sparkgrid.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import org.sparkgrid.federation.sites.FederationRegistry;
import org.sparkgrid.federation.sites.RegisteredFederation;
import org.sparkgrid.jobs.tree.Federations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sparkgrid federation add|list|remove}: the operator's registry of federations
 * ({@code spark.sparkgrid.federation.registry}, default {@code <home>/federations}). A tree request
 * names a registered federation in {@code federation.name} and may only narrow it.
 *
 * <pre>
 * bin/sparkgrid federation add --name fmnist-10 --file /tmp/fmnist-sites/federation.json \
 *     --reward-pool-cap-per-round 100000000000000000000 --token-budget 3000000000000000000000
 * bin/sparkgrid federation list
 * bin/sparkgrid federation remove fmnist-10
 * </pre>
 */
final class FederationCommands {

  private FederationCommands() {}

  private static FederationRegistry registry(SparkOptions spark) {
    return Federations.registry(ServiceCommands.config(spark));
  }

  @Command(name = "federation", mixinStandardHelpOptions = true, subcommands = {Add.class, ListCmd.class, Remove.class},
      description = "The federations the operator registered: their sites, accounts, data, hosts, allowlist, reward"
          + " pool cap per round and token budget. Tree requests name one (federation.name) and may only narrow it.")
  static final class FederationCmd implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "name a command: add, list or remove");
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Register a federation file (the federation file format, plus rewardPoolCapPerRound and"
          + " tokenBudget in token units, in the file or given here) under a name not registered yet.")
  static final class Add implements Callable<Integer> {
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The name requests will use")
    String name;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "The federation file (local path)")
    Path file;

    @Option(names = "--reward-pool-cap-per-round", paramLabel = "UNITS",
        description = "The largest reward.poolPerRound a request may ask for (instead of the file's)")
    BigInteger cap;

    @Option(names = "--token-budget", paramLabel = "UNITS",
        description = "The most one request may pay in all, poolPerRound x rounds (instead of the file's)")
    BigInteger budget;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws IOException {
      FederationRegistry registry = registry(spark);
      byte[] json;
      try {
        json = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("--file " + file + ": no such file");
      }
      RegisteredFederation f = RegisteredFederation.parse(name, withAmounts(json, cap, budget), file.toString());
      registry.add(f);
      System.out.println("registered federation '" + name + "': " + describe(f) + ", in " + registry.file(name));
      return 0;
    }
  }

  /** The file's JSON with the options' amounts put in (where given). */
  static byte[] withAmounts(byte[] json, BigInteger cap, BigInteger budget) {
    if (cap == null && budget == null) {
      return json;
    }
    ObjectMapper mapper = new ObjectMapper();
    try {
      if (!(mapper.readTree(json) instanceof ObjectNode root)) {
        return json; // parse says what is wrong with it
      }
      if (cap != null) {
        root.put(RegisteredFederation.CAP, cap.toString());
      }
      if (budget != null) {
        root.put(RegisteredFederation.BUDGET, budget.toString());
      }
      return mapper.writeValueAsBytes(root);
    } catch (IOException e) {
      return json; // not JSON: parse says so, naming the file
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "The registered federations, one a line.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws IOException {
      FederationRegistry registry = registry(spark);
      list(registry, System.out);
      return 0;
    }
  }

  /** Prints each registered federation, or why its entry is broken; a line when there is none. */
  static void list(FederationRegistry registry, PrintStream out) throws IOException {
    java.util.List<String> names = registry.names();
    if (names.isEmpty()) {
      out.println("no federation registered in " + registry.dir());
      return;
    }
    for (String n : names) {
      try {
        out.println(n + ": " + registry.get(n).map(FederationCommands::describe).orElse("removed just now"));
      } catch (IllegalStateException e) {
        out.println(n + ": BROKEN: " + e.getMessage());
      }
    }
  }

  private static String describe(RegisteredFederation f) {
    int n = f.federation().sites().size();
    return n + (n == 1 ? " site " : " sites ") + f.federation().ids() + ", " + RegisteredFederation.CAP + " "
        + f.rewardPoolCapPerRound() + ", " + RegisteredFederation.BUDGET + " " + f.tokenBudget();
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Unregister a federation: new requests naming it are refused, and its jobs that have not"
          + " finished fail at their next start or resume.")
  static final class Remove implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws IOException {
      FederationRegistry registry = registry(spark);
      if (!registry.remove(name)) {
        throw new NoSuchElementException("federation remove: no federation '" + name + "' is registered in "
            + registry.dir() + " (registered: " + registry.names() + ")");
      }
      System.out.println("removed federation '" + name + "' from " + registry.dir());
      return 0;
    }
  }
}
