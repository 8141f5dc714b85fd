package org.sparkgrid.jobs.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a Zeppelin note top to bottom as Zeppelin would: {@code %spark} paragraphs through one Scala
 * interpreter (Zeppelin's default, globally shared binding: one REPL and one SparkContext for all
 * notes), {@code %sh} paragraphs through {@code bash -c} in a working directory (with
 * {@code {name}} values from the resource pool substituted where the paragraph says
 * {@code interpolate=true}, as Zeppelin 0.9-0.11 do), {@code %md} paragraphs rendered, so skipped.
 *
 * <p>A paragraph fails the run, with the note and the paragraph named, when its interpreter result
 * is an error (a compile error, an exception, a non-zero exit status), and when a display its
 * {@code config.results} declares (a table, a line or bar chart) does not find a table with rows and
 * the columns the chart plots at that output's position.
 */
final class NoteRunner {
  private static final Pattern MESSAGE_TYPE = Pattern.compile("%(text|html|table|angular|img|svg)(?: (.*))?");
  private static final Pattern VARIABLES = Pattern.compile("([^{}]*)([{]+[^{}]*[}]+)(.*)", Pattern.DOTALL);

  private final ScalaInterpreter scala;
  private final NoteContext z;
  private final Path workDir;
  private final Map<String, String> shellEnvironment;
  private final Duration shellTimeout;

  NoteRunner(ScalaInterpreter scala, NoteContext z, Path workDir, Map<String, String> shellEnvironment,
      Duration shellTimeout) {
    this.scala = scala;
    this.z = z;
    this.workDir = workDir;
    this.shellEnvironment = Map.copyOf(shellEnvironment);
    this.shellTimeout = shellTimeout;
  }

  /** One output of a paragraph, as Zeppelin splits it: {@code TEXT}, {@code TABLE} ... */
  record Message(String type, String data) {

    /** A table's header, then its rows, each split at tabs. */
    List<List<String>> lines() {
      return Arrays.stream(data.strip().split("\n")).map(l -> List.of(l.split("\t", -1))).toList();
    }
  }

  /**
   * What a note printed.
   *
   * @param note    the note
   * @param outputs each paragraph's output, by title
   */
  record NoteRun(ZeppelinNote note, Map<String, String> outputs) {

    /** The output of the paragraph with this title. */
    String output(String title) {
      String out = outputs.get(title);
      if (out == null) {
        throw new AssertionError("note '" + note.name() + "' has no paragraph titled '" + title + "': "
            + outputs.keySet());
      }
      return out;
    }

    /** The rows of the first table the paragraph with this title displayed, each row column name to cell. */
    List<Map<String, String>> table(String title) {
      Message table = messages(output(title)).stream().filter(m -> m.type().equals("table")).findFirst()
          .orElseThrow(() -> new AssertionError("paragraph '" + title + "' displayed no table"));
      List<List<String>> lines = table.lines();
      List<Map<String, String>> rows = new ArrayList<>();
      for (List<String> cells : lines.subList(1, lines.size())) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < lines.get(0).size(); i++) {
          row.put(lines.get(0).get(i), i < cells.size() ? cells.get(i) : "");
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /**
   * Runs every paragraph in order.
   *
   * @param formValues what a user typed into the note's textboxes; each must be a textbox the note has
   * @return what each paragraph printed
   * @throws AssertionError naming the note and the first paragraph that failed
   */
  NoteRun run(ZeppelinNote note, Map<String, String> formValues) throws IOException, InterruptedException {
    z.startNote(formValues);
    Map<String, String> outputs = new LinkedHashMap<>();
    for (ZeppelinNote.Paragraph p : note.paragraphs()) {
      long t0 = System.nanoTime();
      if (p.title().isBlank() && !p.interpreter().equals("md")) {
        throw failure(note, p, "has no title; titles name paragraphs in failures", "");
      }
      String output = switch (p.interpreter()) {
        case "md" -> "";
        case "spark" -> {
          ScalaInterpreter.Outcome o = scala.interpret(p.code());
          if (!o.success()) {
            throw failure(note, p, "the Scala interpreter's result is an error", o.output());
          }
          yield o.output();
        }
        case "sh" -> shell(note, p);
        default -> throw failure(note, p, "no interpreter for %" + p.interpreter() + " here (%spark, %sh, %md)", "");
      };
      checkDisplays(note, p, output);
      if (outputs.put(p.title(), output) != null && !p.interpreter().equals("md")) {
        throw failure(note, p, "another paragraph has the same title; titles name paragraphs in failures", "");
      }
      System.out.printf("%n[notebook] %s, %s: done in %.1f s%n", note.file().getFileName(), p.label(),
          (System.nanoTime() - t0) / 1e9);
    }
    if (!z.unusedFormValues().isEmpty()) {
      throw new AssertionError("note '" + note.name() + "' (" + note.file().getFileName() + ") has no textbox for "
          + z.unusedFormValues() + ", which the test fills in");
    }
    return new NoteRun(note, outputs);
  }

  private String shell(ZeppelinNote note, ZeppelinNote.Paragraph p) throws IOException, InterruptedException {
    String script = "true".equals(p.localProperties().get("interpolate"))
        ? interpolate(p.code(), z.resources()) : p.code();
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(workDir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(shellEnvironment);
    Process process = pb.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> copy(process.getInputStream(), out), "note-shell-output");
    reader.start();
    if (!process.waitFor(shellTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      reader.join(5_000);
      throw failure(note, p, "still running after " + shellTimeout.toSeconds() + " s, stopped", text(out));
    }
    reader.join();
    if (process.exitValue() != 0) {
      throw failure(note, p, "exit status " + process.exitValue() + " of: " + script, text(out));
    }
    return text(out);
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] buf = new byte[8192];
    try (in) {
      for (int n; (n = in.read(buf)) > 0; ) {
        synchronized (out) {
          out.write(buf, 0, n);
        }
        System.out.write(buf, 0, n);
      }
      System.out.flush();
    } catch (IOException e) {
      // the process was stopped
    }
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * Zeppelin's {@code {name}} interpolation: every {@code {name}} replaced by the resource's value and
   * {@code {{text}}} by {@code {text}}, or the command unchanged if any name has no value or the braces
   * are used any other way.
   */
  static String interpolate(String cmd, Map<String, Object> resources) {
    StringBuilder sb = new StringBuilder();
    String rest = cmd;
    Matcher m;
    while ((m = VARIABLES.matcher(rest)).matches()) {
      sb.append(m.group(1));
      String var = m.group(2);
      if (var.matches("[{][^{}]+[}]")) {
        Object value = resources.get(var.substring(1, var.length() - 1));
        if (value == null) {
          return cmd;
        }
        sb.append(value);
      } else if (var.matches("[{]{2}[^{}]+[}]{2}")) {
        sb.append('{').append(var, 2, var.length() - 2).append('}');
      } else {
        return cmd;
      }
      rest = m.group(3);
    }
    return sb.append(rest).toString();
  }

  /** A paragraph's output split as Zeppelin splits it, blank text and html dropped. */
  static List<Message> messages(String output) {
    List<Message> messages = new ArrayList<>();
    String type = "text";
    StringBuilder data = new StringBuilder();
    for (String line : output.split("\n", -1)) {
      Matcher m = MESSAGE_TYPE.matcher(line);
      if (m.matches()) {
        add(messages, type, data);
        type = m.group(1);
        data = new StringBuilder(m.group(2) == null ? "" : m.group(2) + "\n");
      } else {
        data.append(line).append('\n');
      }
    }
    add(messages, type, data);
    return messages;
  }

  private static void add(List<Message> messages, String type, StringBuilder data) {
    if (!data.toString().isBlank() || !(type.equals("text") || type.equals("html"))) {
      messages.add(new Message(type, data.toString()));
    }
  }

  /** Each display in {@code config.results} must find a table with rows and the columns it plots. */
  private static void checkDisplays(ZeppelinNote note, ZeppelinNote.Paragraph p, String output) {
    if (p.results().isMissingNode() || p.results().isEmpty()) {
      return;
    }
    List<Message> messages = messages(output);
    List<Map.Entry<Integer, JsonNode>> displays = new ArrayList<>();
    if (p.results().isArray()) {  // older notes: a list, one entry per output
      for (int i = 0; i < p.results().size(); i++) {
        displays.add(Map.entry(i, p.results().get(i)));
      }
    } else {
      p.results().fields().forEachRemaining(e -> displays.add(Map.entry(Integer.parseInt(e.getKey()), e.getValue())));
    }
    for (Map.Entry<Integer, JsonNode> display : displays) {
      int index = display.getKey();
      JsonNode graph = display.getValue().path("graph");
      String mode = graph.path("mode").asText("table");
      if (index >= messages.size() || !messages.get(index).type().equals("table")) {
        throw failure(note, p, "its output " + index + " is displayed as a " + mode + " but is "
            + (index >= messages.size() ? "missing" : "of type " + messages.get(index).type()), output);
      }
      List<List<String>> lines = messages.get(index).lines();
      List<String> columns = lines.get(0);
      if (lines.size() < 2) {
        throw failure(note, p, "its " + mode + " (output " + index + ") has no rows", output);
      }
      for (String role : List.of("keys", "values", "groups")) {
        for (JsonNode c : graph.path(role)) {
          String name = c.path("name").asText();
          int at = c.path("index").asInt(-1);
          if (at < 0 || at >= columns.size() || !columns.get(at).equals(name)) {
            throw failure(note, p, "its " + mode + " plots column " + at + " '" + name + "' (" + role
                + ") but the table's columns are " + columns, output);
          }
        }
      }
    }
  }

  private static AssertionError failure(ZeppelinNote note, ZeppelinNote.Paragraph p, String what, String output) {
    String tail = output.length() > 6000 ? "..." + output.substring(output.length() - 6000) : output;
    return new AssertionError("note '" + note.name() + "' (" + note.file().getFileName() + "), " + p.label() + ": "
        + what + "\n--- output ---\n" + tail);
  }
}
