package org.sparkgrid.jobs.notebooks;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.io.output.TeeOutputStream;
import scala.Console$;
import scala.Function0;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;

/**
 * A Scala 2.12 interpreter (the compiler's {@link IMain}, what Spark's shell and Zeppelin's Spark
 * interpreter wrap) set up as Spark's own shell sets it up: class-based wrappers
 * ({@code -Yrepl-class-based}, so closures do not drag the whole REPL line along) and compiled
 * classes written to {@code outputDir}, the directory the SparkContext was given as
 * {@code spark.repl.class.outputDir} so that executors load REPL-defined classes from the driver.
 *
 * <p>Everything a paragraph prints, through {@code println} or the interpreter's own echo, error
 * messages and stack traces included, is captured for that paragraph and copied to
 * {@code System.out}.
 */
final class ScalaInterpreter implements AutoCloseable {

  /**
   * One paragraph's outcome.
   *
   * @param success whether the interpreter's result was {@code Success} (a compile error, an
   *                incomplete input or an exception thrown by the code is not)
   * @param output  what the paragraph printed
   */
  record Outcome(boolean success, String output) {}

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintStream capture;
  private final IMain repl;

  /**
   * @param classpath the compiler's classpath: the JVM's, so REPL code sees what the test sees
   * @throws IllegalArgumentException if the compiler refuses the settings
   */
  ScalaInterpreter(String classpath, Path outputDir) {
    capture = new PrintStream(new TeeOutputStream(buffer, System.out), true, StandardCharsets.UTF_8);
    Settings settings = new Settings();
    List<String> args = List.of("-Yrepl-class-based", "-Yrepl-outdir", outputDir.toString(), "-classpath", classpath);
    Tuple2<Object, scala.collection.immutable.List<String>> parsed =
        settings.processArguments(JavaConverters.asScalaBuffer(args).toList(), true);
    if (!(Boolean) parsed._1()) {
      throw new IllegalArgumentException("the Scala compiler refused its settings: " + parsed._2());
    }
    repl = new IMain(settings, new PrintWriter(capture, true));
  }

  /**
   * Binds a value the way Zeppelin binds {@code spark}, {@code sc} and {@code z}: a {@code @transient}
   * val of the given type.
   *
   * @throws IllegalStateException if the binding fails
   */
  void bind(String name, String type, Object value) {
    scala.collection.immutable.List<String> modifiers =
        JavaConverters.asScalaBuffer(List.of("@transient")).toList();
    Results.Result r = repl.bind(name, type, value, modifiers);
    if (!(r instanceof Results.Success$)) {
      throw new IllegalStateException("cannot bind " + name + ": " + take());
    }
  }

  /** Compiles and runs one paragraph's code. */
  Outcome interpret(String code) {
    Function0<Results.Result> run = () -> repl.interpret(code);
    Results.Result r = Console$.MODULE$.withOut(capture, run);
    return new Outcome(r instanceof Results.Success$, take());
  }

  private synchronized String take() {
    capture.flush();
    String out = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    return out;
  }

  @Override
  public void close() {
    repl.close();
  }
}
