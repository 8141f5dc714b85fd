package org.sparkgrid.jobs.report;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code chromium}, run headless on a local page: no network, no sandbox (tests may run as
 * root), a throw-away profile. {@code bin/sparkgrid test} installs it.
 */
final class HeadlessChromium {
  private static final Pattern IMG = Pattern.compile("<img\\b[^>]*>");
  private static final Pattern ATTR = Pattern.compile("\\s(alt|data-rendered|data-natural-size)=\"([^\"]*)\"");
  private static final Pattern CHECK = Pattern.compile(
      "<span id=\"render-check\" data-images=\"(\\d+)\" data-rendered=\"(\\d+)\"");

  /** One {@code <img>} as the browser left it: its alt text, whether it rendered, its natural size. */
  record Image(String alt, boolean rendered, int width, int height) {}

  /**
   * The page after it loaded: every image as the page's script marked it, and the script's counts.
   *
   * @param images   the {@code <img>} elements, in page order
   * @param counted  images the script counted ({@code -1} if the script did not run)
   * @param rendered images the script found rendered ({@code -1} if the script did not run)
   */
  record Page(List<Image> images, int counted, int rendered, String dom) {}

  private final Path binary;
  private final Path profile;

  private HeadlessChromium(Path binary, Path profile) {
    this.binary = binary;
    this.profile = profile;
  }

  /**
   * Finds {@code chromium} on the PATH.
   *
   * @throws IllegalStateException if it is not installed, saying how to install it
   */
  static HeadlessChromium find(Path profile) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, "chromium");
      if (Files.isExecutable(p)) {
        return new HeadlessChromium(p, profile);
      }
    }
    throw new IllegalStateException("chromium is not installed (the report test opens the page in it): run"
        + " 'bin/sparkgrid test', which installs it, or 'apt-get install -y chromium'");
  }

  /** Loads the page and returns its DOM once loaded ({@code --dump-dom}). */
  Page open(Path html) throws IOException, InterruptedException {
    String dom = run("--dump-dom", html.toUri().toString());
    List<Image> images = new ArrayList<>();
    Matcher tags = IMG.matcher(dom);
    while (tags.find()) {
      Map<String, String> attrs = new LinkedHashMap<>();
      Matcher a = ATTR.matcher(tags.group());
      while (a.find()) {
        attrs.put(a.group(1), a.group(2));
      }
      String[] size = attrs.getOrDefault("data-natural-size", "0x0").split("x");
      images.add(new Image(attrs.get("alt"), "true".equals(attrs.get("data-rendered")),
          Integer.parseInt(size[0]), Integer.parseInt(size[1])));
    }
    Matcher c = CHECK.matcher(dom);
    boolean ran = c.find();
    return new Page(images, ran ? Integer.parseInt(c.group(1)) : -1, ran ? Integer.parseInt(c.group(2)) : -1, dom);
  }

  /** Takes a screenshot of the page's top {@code width x height} pixels. */
  void screenshot(Path html, Path png, int width, int height) throws IOException, InterruptedException {
    run("--hide-scrollbars", "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath(),
        html.toUri().toString());
    if (!Files.exists(png)) {
      throw new IOException("chromium wrote no screenshot to " + png);
    }
  }

  private String run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile.toAbsolutePath()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(profile.getParent(), "chromium-", ".out");
    Path log = Files.createTempFile(profile.getParent(), "chromium-", ".log");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
    // a guard against a hung browser, not a timing assertion
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("chromium did not exit: " + String.join(" ", cmd));
    }
    if (p.exitValue() != 0) {
      throw new IOException("chromium exited with " + p.exitValue() + ": " + String.join(" ", cmd) + "\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
