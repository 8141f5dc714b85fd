package org.sparkgrid.jobs.cli;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.auth.Limits;
import org.sparkgrid.ingest.auth.RegistryFile;
import org.sparkgrid.ingest.auth.Requester;
import org.sparkgrid.ingest.auth.RequesterRegistry;
import org.sparkgrid.ingest.auth.Role;
import org.sparkgrid.ingest.jobs.AuditRecord;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.jobs.service.ServiceAuth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Who may submit: {@code requester add|remove|list} edit the requester registry (the file of
 * {@code spark.sparkgrid.auth.registry}, else {@code <home>/requesters.json}) atomically; a running
 * service reads the change within a second. {@code audit} prints the verdicts on requests and
 * control commands kept in the job store.
 *
 * <pre>
 * bin/sparkgrid requester add --name alice --account 0x5b38da6a701c568545dcfcb03fcb875f56beddc4 \
 *     --roles submit,cancel-own --max-workers 4 --max-reward-pool-per-round 1000000000000000000
 * bin/sparkgrid requester list
 * bin/sparkgrid requester remove alice
 * bin/sparkgrid audit --job alice.fmnist-0001 --limit 20
 * </pre>
 */
final class RequesterCommands {
  private RequesterCommands() {}

  @Command(name = "requester", mixinStandardHelpOptions = true,
      description = "The requester registry: who may submit and cancel jobs, with which roles and limits.",
      subcommands = {Add.class, Remove.class, ListCmd.class})
  static final class RequesterCmd implements Runnable {
    @Override
    public void run() {
      throw new IllegalArgumentException("name a requester command: add, remove or list");
    }
  }

  /** The registry file's requesters, none if it does not exist yet. */
  static RequesterRegistry read(Path file) throws java.io.IOException {
    return Files.exists(file) ? RegistryFile.read(file) : RequesterRegistry.EMPTY;
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Register a requester: its name (the namespace of its job ids), account, roles and limits.")
  static final class Add implements Callable<Integer> {
    @Option(names = "--name", required = true, description = "1 to 32 characters of a-z, 0-9 and -; its job ids"
        + " start with NAME.") String name;

    @Option(names = "--account", required = true, description = "The account that signs its requests: 0x and 40"
        + " hex digits") String account;

    @Option(names = "--roles", required = true, split = ",",
        description = "Comma-separated: submit, cancel-own, admin") List<String> roles;

    @Option(names = "--max-workers", description = "Most workers at once (absent: no limit)") Integer maxWorkers;

    @Option(names = "--max-gpus", description = "Most GPUs at once") Integer maxGpus;

    @Option(names = "--max-rounds", description = "Most tree-mode rounds") Integer maxRounds;

    @Option(names = "--max-reward-pool-per-round", description = "Largest reward.poolPerRound, in token base units")
    BigInteger maxRewardPoolPerRound;

    @Option(names = "--min-fee", description = "Smallest fee, in token base units") BigInteger minFee;

    @Option(names = "--max-fee", description = "Largest fee, in token base units") BigInteger maxFee;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      Path file = ServiceAuth.registryPath(config);
      Set<Role> set = EnumSet.noneOf(Role.class);
      for (String r : roles) {
        try {
          set.add(Role.fromWire(r.strip()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("roles: " + e.getMessage(), e);
        }
      }
      Requester requester;
      try {
        requester = new Requester(name, account, set,
            new Limits(maxWorkers, maxGpus, maxRounds, maxRewardPoolPerRound, minFee, maxFee));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("requester add: " + e.getMessage(), e);
      }
      RequesterRegistry updated;
      try {
        updated = read(file).with(requester);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("requester add: " + e.getMessage(), e);
      }
      RegistryFile.write(file, updated);
      System.out.println("requester " + requester.name() + " (" + requester.account() + ") added to " + file
          + "; its job ids start with " + requester.namespace());
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a requester from the registry.")
  static final class Remove implements Callable<Integer> {
    @Parameters(paramLabel = "NAME") String name;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      Path file = ServiceAuth.registryPath(config);
      RegistryFile.write(file, read(file).without(name));
      System.out.println("requester " + name + " removed from " + file);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the registered requesters.")
  static final class ListCmd implements Callable<Integer> {
    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = ServiceCommands.config(spark);
      Path file = ServiceAuth.registryPath(config);
      System.out.print(table(read(file)));
      return 0;
    }
  }

  /** The registry as the {@code list} table: name, account, roles, limits. */
  static String table(RequesterRegistry registry) {
    StringBuilder out = new StringBuilder(String.format("%-20s %-42s %-24s %s%n", "NAME", "ACCOUNT", "ROLES", "LIMITS"));
    for (Requester r : registry.requesters()) {
      out.append(String.format("%-20s %-42s %-24s %s%n", r.name(), r.account(),
          String.join(",", EnumSet.copyOf(r.roles()).stream().map(Role::wire).toList()), limits(r.limits())));
    }
    return out.toString();
  }

  private static String limits(Limits l) {
    List<String> parts = new ArrayList<>();
    add(parts, "maxWorkers", l.maxWorkers());
    add(parts, "maxGpus", l.maxGpus());
    add(parts, "maxRounds", l.maxRounds());
    add(parts, "maxRewardPoolPerRound", l.maxRewardPoolPerRound());
    add(parts, "minFee", l.minFee());
    add(parts, "maxFee", l.maxFee());
    return parts.isEmpty() ? "none" : String.join(" ", parts);
  }

  private static void add(List<String> parts, String name, Object v) {
    if (v != null) {
      parts.add(name + "=" + v);
    }
  }

  @Command(name = "audit", mixinStandardHelpOptions = true,
      description = "The verdicts on requests and control commands: when, who, what, accepted or refused and why.")
  static final class Audit implements Callable<Integer> {
    @Option(names = "--job", description = "Only those about this job") String job;

    @Option(names = "--limit", defaultValue = "50", description = "The latest N (default ${DEFAULT-VALUE})")
    int limit;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() {
      SparkGridConfig config = ServiceCommands.config(spark);
      try (JobStore store = ServiceCommands.store(config)) {
        System.out.print(auditTable(store.audit(job, limit)));
        return 0;
      }
    }
  }

  /** Audit records as the {@code audit} table. */
  static String auditTable(List<AuditRecord> records) {
    StringBuilder out = new StringBuilder(String.format("%-24s %-42s %-16s %-12s %-32s %-8s %s%n", "TIME", "ACCOUNT",
        "REQUESTER", "KIND", "JOB", "VERDICT", "REASON"));
    for (AuditRecord r : records) {
      out.append(String.format("%-24s %-42s %-16s %-12s %-32s %-8s %s%n", r.at(), r.account(),
          r.requester() == null ? "-" : r.requester(), r.kind(), r.jobId() == null ? "-" : r.jobId(), r.verdict(),
          r.reason() == null ? "" : r.reason()));
    }
    return out.toString();
  }
}
