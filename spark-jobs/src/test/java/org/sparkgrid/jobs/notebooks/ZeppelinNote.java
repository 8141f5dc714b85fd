package org.sparkgrid.jobs.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Zeppelin note as stored in a {@code .zpln} file (Zeppelin 0.9 and later): a JSON object with a
 * {@code name} and {@code paragraphs}, each with a {@code title}, a {@code text} whose first line
 * names the interpreter ({@code %spark}, {@code %sh(interpolate=true)}, {@code %md} ...) and a
 * {@code config} whose {@code results} say how each output is displayed (table, line chart ...).
 *
 * @param file       where it was read
 * @param name       the note's name
 * @param paragraphs in order
 */
record ZeppelinNote(Path file, String name, List<Paragraph> paragraphs) {

  /** {@code %name} or {@code %name(k=v, ...)} at the start of a paragraph, then the code. */
  private static final Pattern INTERPRETER = Pattern.compile("%([\\w.]+)(?:\\(([^)]*)\\))?[ \\t]*\\R?(.*)",
      Pattern.DOTALL);

  /**
   * One paragraph.
   *
   * @param index           0-based position
   * @param title           its title ("" if none)
   * @param interpreter     {@code spark}, {@code sh}, {@code md} ...
   * @param localProperties what the interpreter line's parentheses set, e.g. {@code interpolate=true}
   * @param code            the text after the interpreter line
   * @param results         {@code config.results}: output index to its display settings (missing node if none)
   */
  record Paragraph(int index, String title, String interpreter, Map<String, String> localProperties, String code,
      JsonNode results) {

    /** How failures name it: position, title and interpreter. */
    String label() {
      return "paragraph " + (index + 1) + " '" + title + "' (%" + interpreter + ")";
    }
  }

  /**
   * @throws IOException              if the file cannot be read or is not JSON
   * @throws IllegalArgumentException if a paragraph has no interpreter line, naming the note and paragraph
   */
  static ZeppelinNote read(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    String name = root.path("name").asText("");
    if (name.isEmpty()) {
      throw new IllegalArgumentException(file + ": the note has no name");
    }
    List<Paragraph> paragraphs = new ArrayList<>();
    JsonNode ps = root.path("paragraphs");
    for (int i = 0; i < ps.size(); i++) {
      JsonNode p = ps.get(i);
      String text = p.path("text").asText("");
      Matcher m = INTERPRETER.matcher(text);
      if (!m.matches()) {
        throw new IllegalArgumentException(file + ": paragraph " + (i + 1) + " '" + p.path("title").asText("")
            + "' does not start with an interpreter line such as %spark, %sh or %md: " + abbreviate(text));
      }
      paragraphs.add(new Paragraph(i, p.path("title").asText(""), m.group(1), localProperties(m.group(2)), m.group(3),
          p.path("config").path("results")));
    }
    return new ZeppelinNote(file, name, List.copyOf(paragraphs));
  }

  private static Map<String, String> localProperties(String s) {
    Map<String, String> props = new LinkedHashMap<>();
    if (s != null) {
      for (String kv : s.split(",")) {
        String[] parts = kv.split("=", 2);
        if (!parts[0].isBlank()) {
          props.put(parts[0].strip(), parts.length > 1 ? parts[1].strip() : "");
        }
      }
    }
    return props;
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? '"' + s + '"' : '"' + s.substring(0, 60) + "...\"";
  }
}
