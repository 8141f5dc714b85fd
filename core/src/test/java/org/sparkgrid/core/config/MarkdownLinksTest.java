package org.sparkgrid.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link and anchor in the repository's Markdown files (README.md, docs/,
 * benchmarks/README.md, settlement/README.md ...) points at a file that exists and, for
 * {@code #anchor}, at a heading that GitHub gives that anchor.
 */
class MarkdownLinksTest {

  @Test
  void everyRelativeLinkOfTheRepositoryResolves() {
    List<Path> files = MarkdownLinks.markdownFiles(ConfFiles.ROOT);
    assertThat(files).as("Markdown files found").contains(ConfFiles.ROOT.resolve("README.md"),
        ConfFiles.ROOT.resolve("docs/configuration.md"), ConfFiles.ROOT.resolve("benchmarks/README.md"));

    assertThat(MarkdownLinks.check(ConfFiles.ROOT)).as("broken links (file:line: target: why)").isEmpty();
  }

  @Test
  void aMissingFileAndAMissingAnchorAreBothReported(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("docs"));
    Files.writeString(dir.resolve("docs/b.md"), "# B page\n\n## Where the updates merge\n");
    Files.writeString(dir.resolve("README.md"), """
        # A
        [fine](docs/b.md#where-the-updates-merge) and [self](#a)
        [gone](docs/missing.md)
        [wrong anchor](docs/b.md#where-updates-merge)
        `[in code](nowhere.md)` and [web](https://example.org/x#y)
        ```
        [in a fence](nowhere.md)
        ```
        """);

    assertThat(MarkdownLinks.check(dir)).containsExactly(
        "README.md:3: docs/missing.md: no such file docs/missing.md",
        "README.md:4: docs/b.md#where-updates-merge: no heading with the anchor #where-updates-merge in docs/b.md"
            + " (anchors: b-page, where-the-updates-merge)");
  }

  @Test
  void filesUnderTargetAndNodeModulesAreLeftOut(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("target"));
    Files.createDirectories(dir.resolve("settlement/node_modules/x"));
    Files.writeString(dir.resolve("target/a.md"), "[x](nowhere.md)\n");
    Files.writeString(dir.resolve("settlement/node_modules/x/README.md"), "[x](nowhere.md)\n");
    Files.writeString(dir.resolve("settlement/README.md"), "# S\n");

    assertThat(MarkdownLinks.markdownFiles(dir)).containsExactly(dir.resolve("settlement/README.md"));
  }

  @Test
  void anchorsAreGitHubSlugsNumberedWhenRepeated() {
    assertThat(MarkdownLinks.slug("Tree mode (federated)")).isEqualTo("tree-mode-federated");
    assertThat(MarkdownLinks.slug("The request service (Kafka)")).isEqualTo("the-request-service-kafka");
    assertThat(MarkdownLinks.slug("What runs today / what is not there yet"))
        .isEqualTo("what-runs-today--what-is-not-there-yet");
    assertThat(MarkdownLinks.slug("`spark` mode: see [there](x.md)")).isEqualTo("spark-mode-see-there");
    assertThat(MarkdownLinks.slug("Too few updates: fail or wait")).isEqualTo("too-few-updates-fail-or-wait");
    assertThat(MarkdownLinks.slug("K x P, 10_000 sites")).isEqualTo("k-x-p-10_000-sites");

    assertThat(MarkdownLinks.anchors("# Run\n## Run\n```\n# not a heading\n```\n### Run ##\n<a id=\"here\"></a>\n"))
        .containsExactly("run", "run-1", "run-2", "here");
  }
}
