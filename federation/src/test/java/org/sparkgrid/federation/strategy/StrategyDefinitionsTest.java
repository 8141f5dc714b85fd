package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The registry is derived from the declarations, and the reference page from the registry. */
class StrategyDefinitionsTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void everyDefinitionInThePackageIsRegistered() throws IOException, URISyntaxException {
    // Prepare: every concrete StrategyDefinition among the compiled classes of this package
    Path dir = Path.of(StrategyDefinition.class.getResource("StrategyDefinition.class").toURI()).getParent();
    Set<String> declared = new TreeSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = StrategyDefinition.class.getPackageName() + "." + f.getFileName().toString().replace(".class", "");
        Class<?> c;
        try {
          c = Class.forName(name, false, StrategyDefinition.class.getClassLoader());
        } catch (ClassNotFoundException e) {
          throw new AssertionError(name, e);
        }
        if (StrategyDefinition.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())) {
          declared.add(c.getName());
        }
      }
    }

    // Execute
    Set<String> registered = new TreeSet<>();
    Strategies.definitions().forEach(d -> registered.add(d.getClass().getName()));

    // Assert
    assertThat(declared).hasSizeGreaterThanOrEqualTo(11);
    assertThat(registered)
        .as("add each to src/main/resources/META-INF/services/org.sparkgrid.federation.strategy.StrategyDefinition")
        .containsExactlyInAnyOrderElementsOf(declared);
  }

  @Test
  void twoDefinitionsOfOneTypeAreRefusedNamingBoth() {
    assertThatThrownBy(() -> Strategies.index(List.of(new FedAvg.Definition(), new FedAvg.Definition())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("strategy type fedavg is declared twice: by " + FedAvg.Definition.class.getName() + " and "
            + FedAvg.Definition.class.getName());
    assertThatThrownBy(() -> Strategies.index(List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no strategy is registered in META-INF/services/org.sparkgrid.federation.strategy.StrategyDefinition");
  }

  @Test
  void theReferenceListsEachTypeWithItsParameters() {
    String md = Strategies.markdownReference();

    assertThat(md).startsWith("| type | weighting | parameters | description |\n|---|---|---|---|\n");
    assertThat(md.lines().count()).isEqualTo(2 + Strategies.types().size());
    assertThat(md).contains("| `trimmed-mean` | none | `trim`: number in [0, 0.5), default `0.2`. The fraction of"
        + " values cut from each side of every coordinate.<br>`clipNorm`: number > 0, optional. Clips each update");
    assertThat(md).contains("`f`: whole number >= 0, required. The number of Byzantine sites assumed");
  }

  @Test
  void docsStrategiesPageIsTheGeneratedOne() throws IOException {
    String page = Files.readString(ROOT.resolve("docs/strategies.md"));

    assertThat(StrategyReference.table(page))
        .as("docs/strategies.md is stale: run StrategyReference docs/strategies.md (see its javadoc)")
        .isEqualTo(Strategies.markdownReference());
  }

  @Test
  void replaceTableKeepsTheTextAroundTheMarkers() {
    String page = "intro\n" + StrategyReference.START + "\nold\n" + StrategyReference.END + "\nafter\n";

    assertThat(StrategyReference.replaceTable(page, "new\n"))
        .isEqualTo("intro\n" + StrategyReference.START + "\nnew\n" + StrategyReference.END + "\nafter\n");
    assertThatThrownBy(() -> StrategyReference.table("no markers"))
        .hasMessage("the page has no " + StrategyReference.START + " line followed by " + StrategyReference.END);
  }
}
