package org.sparkgrid.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The arrows between packages, checked on the compiled classes, so a wrong import fails the build.
 *
 * <p>spark-jobs' layers, from the top: the entry points ({@code org.sparkgrid.jobs}: the mains that
 * {@code spark-submit} starts), then {@code cli}, {@code service} and {@code report}, then
 * {@code modes} (which chooses a run by the request's mode), then the two ways of training,
 * {@code compute} and {@code tree}, which never see each other, then the {@code run} seam they share,
 * then the runtime beneath ({@code engine}, {@code eval}, {@code data}, {@code model},
 * {@code resources}, {@code store}). Each may use only what lies below it; no package cycles.
 * Beside that, DESIGN.md's module bans: core and federation use no Spark, Hadoop, Kafka, Web3j or DL4J.
 */
class ArchitectureTest {
  private static final String JOBS = "org.sparkgrid.jobs";
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.sparkgrid");
  }

  @Test
  void theClassesOfEveryModuleAreImported() {
    for (String pkg : new String[] {"org.sparkgrid.core", "org.sparkgrid.federation", "org.sparkgrid.settlement",
        "org.sparkgrid.ingest", JOBS + ".compute", JOBS + ".tree", JOBS + ".run", JOBS + ".cli"}) {
      assertThat(classes.stream().anyMatch(c -> c.getPackageName().startsWith(pkg))).as(pkg).isTrue();
    }
  }

  @Test
  void sparkJobsLayersPointOnlyDown() {
    String[] aboveRuns = {"Entry", "Cli", "Service", "Report"};
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("Entry").definedBy(JOBS)
        .layer("Cli").definedBy(JOBS + ".cli..")
        .layer("Service").definedBy(JOBS + ".service..")
        .layer("Report").definedBy(JOBS + ".report..")
        .layer("Modes").definedBy(JOBS + ".modes..")
        .layer("Compute").definedBy(JOBS + ".compute..")
        .layer("Tree").definedBy(JOBS + ".tree..")
        .layer("Run").definedBy(JOBS + ".run..")
        .layer("Runtime").definedBy(JOBS + ".engine..", JOBS + ".eval..", JOBS + ".data..", JOBS + ".model..",
            JOBS + ".resources..", JOBS + ".store..")
        .whereLayer("Entry").mayNotBeAccessedByAnyLayer()
        .whereLayer("Cli").mayOnlyBeAccessedByLayers("Entry")
        .whereLayer("Service").mayOnlyBeAccessedByLayers("Entry", "Cli")
        .whereLayer("Report").mayOnlyBeAccessedByLayers("Entry", "Cli")
        .whereLayer("Modes").mayOnlyBeAccessedByLayers(aboveRuns)
        .whereLayer("Compute").mayOnlyBeAccessedByLayers(with(aboveRuns, "Modes"))
        .whereLayer("Tree").mayOnlyBeAccessedByLayers(with(aboveRuns, "Modes"))
        .whereLayer("Run").mayOnlyBeAccessedByLayers(with(aboveRuns, "Modes", "Compute", "Tree"))
        .check(classes);
  }

  @Test
  void sparkJobsPackagesHaveNoCycles() {
    slices().matching(JOBS + ".(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void coreAndFederationStayFreeOfSparkHadoopKafkaWeb3jAndDl4j() {
    noClasses().that().resideInAnyPackage("org.sparkgrid.core..", "org.sparkgrid.federation..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "org.apache.hadoop..",
            "org.apache.kafka..", "org.web3j..", "org.deeplearning4j..", "org.nd4j..")
        .check(classes);
  }

  @Test
  void modulesDependOnlyAsDesignSays() {
    noClasses().that().resideInAPackage("org.sparkgrid.core..")
        .should().dependOnClassesThat().resideInAnyPackage("org.sparkgrid.federation..", "org.sparkgrid.ingest..",
            "org.sparkgrid.settlement..", JOBS + "..")
        .check(classes);
    noClasses().that().resideInAnyPackage("org.sparkgrid.federation..", "org.sparkgrid.ingest..",
            "org.sparkgrid.settlement..")
        .should().dependOnClassesThat().resideInAPackage(JOBS + "..")
        .check(classes);
    noClasses().that().resideInAPackage("org.sparkgrid.federation..")
        .should().dependOnClassesThat().resideInAnyPackage("org.sparkgrid.ingest..", "org.sparkgrid.settlement..")
        .check(classes);
    noClasses().that().resideInAPackage("org.sparkgrid.settlement..")
        .should().dependOnClassesThat().resideInAnyPackage("org.sparkgrid.federation..", "org.sparkgrid.ingest..")
        .check(classes);
  }

  private static String[] with(String[] layers, String... more) {
    String[] all = java.util.Arrays.copyOf(layers, layers.length + more.length);
    System.arraycopy(more, 0, all, layers.length, more.length);
    return all;
  }
}
