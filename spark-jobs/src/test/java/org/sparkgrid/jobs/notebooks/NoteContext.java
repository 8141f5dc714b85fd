package org.sparkgrid.jobs.notebooks;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The part of Zeppelin's {@code ZeppelinContext} (the {@code z} of a {@code %spark} paragraph) that
 * SparkGrid's notes use, with the same signatures, so that a note that runs here compiles in
 * Zeppelin: dynamic forms ({@link #textbox}), display ({@link #show}, the same {@code %table} text
 * Zeppelin's Spark interpreter writes) and the resource pool ({@link #put}, {@link #get}) that
 * {@code %sh(interpolate=true)} paragraphs read {@code {name}} values from.
 *
 * <p>Test scaffolding for Zeppelin's API; what the notes call behind it is SparkGrid itself.
 */
public final class NoteContext {
  /** Zeppelin's default {@code zeppelin.spark.maxResult}. */
  public static final int MAX_RESULT = 1000;

  private final Map<String, Object> pool = new ConcurrentHashMap<>();
  private final Map<String, String> params = new LinkedHashMap<>();
  private final Set<String> forms = new LinkedHashSet<>();

  /** Starts a note: the values typed into its forms, an empty resource pool. */
  void startNote(Map<String, String> formValues) {
    params.clear();
    params.putAll(formValues);
    forms.clear();
    pool.clear();
  }

  /** The form values given to {@link #startNote} that no textbox of the note asked for. */
  Set<String> unusedFormValues() {
    return params.keySet().stream().filter(k -> !forms.contains(k)).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** Resource pool values, for {@code {name}} interpolation. */
  Map<String, Object> resources() {
    return pool;
  }

  /** A textbox form with an empty default: its value as typed, else "". */
  public Object textbox(String name) {
    return textbox(name, "");
  }

  /** A textbox form: its value as typed, else the default. */
  public Object textbox(String name, String defaultValue) {
    forms.add(name);
    return params.getOrDefault(name, defaultValue);
  }

  /** Displays a Spark Dataset as a Zeppelin table (at most {@value #MAX_RESULT} rows). */
  public void show(Object o) {
    show(o, MAX_RESULT);
  }

  /** Displays a Spark Dataset as a Zeppelin table of at most {@code maxResult} rows. */
  public void show(Object o, int maxResult) {
    java.io.PrintStream out = scala.Console$.MODULE$.out();
    if (!(o instanceof Dataset<?> ds)) {
      out.print("ZeppelinContext doesn't support to show type: " + o.getClass().getCanonicalName() + "\n" + o);
      return;
    }
    Dataset<Row> df = ds.toDF();
    String[] columns = df.columns();
    if (columns.length == 0) {
      return;
    }
    List<Row> rows = df.takeAsList(maxResult + 1);
    StringBuilder msg = new StringBuilder("\n%table ");
    msg.append(java.util.Arrays.stream(columns).map(NoteContext::cell).collect(Collectors.joining("\t"))).append('\n');
    for (Row row : rows.subList(0, Math.min(rows.size(), maxResult))) {
      for (int i = 0; i < row.size(); i++) {
        msg.append(i == 0 ? "" : "\t").append(cell(row.get(i)));
      }
      msg.append('\n');
    }
    if (rows.size() > maxResult) {
      msg.append("\n%html <font color=red>Results are limited by ").append(maxResult).append(" rows.</font>");
    }
    msg.append("\n%text ");
    out.print(msg);
    out.flush();
  }

  /** As Zeppelin writes a table cell: tabs and newlines become spaces. */
  private static String cell(Object v) {
    return String.valueOf(v).replace('\t', ' ').replace('\n', ' ');
  }

  /** Puts a value in the resource pool. */
  public void put(String name, Object value) {
    pool.put(name, value);
  }

  /** A value from the resource pool, or null. */
  public Object get(String name) {
    return pool.get(name);
  }

  public boolean containsKey(String name) {
    return pool.containsKey(name);
  }

  public void remove(String name) {
    pool.remove(name);
  }
}
