package org.sparkgrid.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks the relative links of Markdown files as GitHub renders them: the target file exists, and
 * a {@code #anchor} names a heading of the target (GitHub's slug) or an HTML {@code id}/{@code name}.
 * Links inside fenced code blocks and inline code spans are not links, and absolute URLs
 * ({@code https:}, {@code mailto:} ...) are not checked.
 *
 * <pre>{@code
 * List<String> problems = MarkdownLinks.check(Path.of("."));   // "README.md:12: docs/x.md: no such file", ...
 * }</pre>
 */
final class MarkdownLinks {

  /** {@code [text](target)} and {@code ![alt](target)}; the target up to whitespace or the closing parenthesis. */
  private static final Pattern INLINE = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

  /** A reference definition, {@code [label]: target}. */
  private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");

  private static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");
  private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+[^>]*(?:id|name)\\s*=\\s*\"([^\"]+)\"");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
  private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");

  private MarkdownLinks() {}

  /** One link: the file and line it is on, and its target as written. */
  record Link(Path file, int line, String target) {}

  /**
   * Every broken relative link of every {@code *.md} file under {@code root} (outside {@code target/},
   * {@code node_modules/} and {@code .git}), one line each: {@code file:line: target: why}.
   */
  static List<String> check(Path root) {
    Map<Path, Set<String>> anchors = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Path md : markdownFiles(root)) {
      for (Link link : links(md, read(md))) {
        String why = problem(root, link, anchors);
        if (why != null) {
          problems.add(root.relativize(md) + ":" + link.line() + ": " + link.target() + ": " + why);
        }
      }
    }
    return problems;
  }

  /** The Markdown files under {@code root}, sorted, leaving out build output, npm packages and git's own files. */
  static List<Path> markdownFiles(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p))
          .filter(p -> !skipped(root.relativize(p)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean skipped(Path relative) {
    for (Path part : relative) {
      String s = part.toString();
      if (s.equals("target") || s.equals("node_modules") || s.equals(".git")) {
        return true;
      }
    }
    return false;
  }

  /** The relative links of one file's text (absolute URLs left out), with their line numbers. */
  static List<Link> links(Path file, String text) {
    List<Link> out = new ArrayList<>();
    List<String> lines = text.lines().toList();
    boolean inFence = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (FENCE.matcher(line).find()) {
        inFence = !inFence;
        continue;
      }
      if (inFence) {
        continue;
      }
      String prose = CODE_SPAN.matcher(line).replaceAll("");
      Matcher ref = REFERENCE.matcher(prose);
      List<String> targets = new ArrayList<>();
      if (ref.matches()) {
        targets.add(ref.group(1));
      }
      Matcher m = INLINE.matcher(prose);
      while (m.find()) {
        targets.add(m.group(1));
      }
      for (String t : targets) {
        if (!t.isEmpty() && !SCHEME.matcher(t).find()) {
          out.add(new Link(file, i + 1, t));
        }
      }
    }
    return out;
  }

  /** Why a link is broken, or null when its file (and anchor) exist. */
  private static String problem(Path root, Link link, Map<Path, Set<String>> anchors) {
    String target = link.target();
    int hash = target.indexOf('#');
    String pathPart = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : URLDecoder.decode(target.substring(hash + 1), StandardCharsets.UTF_8);
    Path resolved = pathPart.isEmpty() ? link.file()
        : link.file().getParent().resolve(URLDecoder.decode(pathPart, StandardCharsets.UTF_8)).normalize();
    if (!Files.exists(resolved)) {
      return "no such file " + root.relativize(resolved);
    }
    if (anchor == null || anchor.isEmpty()) {
      return null;
    }
    if (!resolved.toString().endsWith(".md") || Files.isDirectory(resolved)) {
      return "an anchor into a file that is not Markdown";
    }
    Set<String> known = anchors.computeIfAbsent(resolved, p -> anchors(read(p)));
    return known.contains(anchor) ? null : "no heading with the anchor #" + anchor + " in " + root.relativize(resolved)
        + " (anchors: " + String.join(", ", known) + ")";
  }

  /** The anchors a file's headings get on GitHub (a repeated slug gets -1, -2 ...), plus explicit HTML ids. */
  static Set<String> anchors(String text) {
    Set<String> out = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean inFence = false;
    for (String line : text.lines().toList()) {
      if (FENCE.matcher(line).find()) {
        inFence = !inFence;
        continue;
      }
      if (inFence) {
        continue;
      }
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        String slug = slug(h.group(2));
        int n = seen.merge(slug, 1, Integer::sum) - 1;
        out.add(n == 0 ? slug : slug + "-" + n);
      }
      Matcher a = HTML_ANCHOR.matcher(line);
      while (a.find()) {
        out.add(a.group(1));
      }
    }
    return out;
  }

  /**
   * GitHub's anchor for a heading: link targets and markup dropped, lower case, every character but
   * letters, digits, spaces, hyphens and underscores removed, each space a hyphen.
   * {@code "Tree mode (federated)"} gives {@code tree-mode-federated}.
   */
  static String slug(String heading) {
    String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
    return text.strip().toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "")
        .replace(' ', '-');
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
