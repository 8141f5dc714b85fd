/**
 * {@code bin/sparkgrid}: the picocli commands. Start with {@link org.sparkgrid.jobs.cli.SparkGridCli},
 * which lists them; {@code train} and {@code federate} ({@link org.sparkgrid.jobs.cli.TrainCommand})
 * run a request through {@code modes.RunModes} and print the outcome ({@code RunConsole}), with
 * {@link org.sparkgrid.jobs.cli.ConsoleProgress} or {@code SweepConsole} as the progress bar;
 * {@code serve}, {@code submit}, {@code wait}, {@code jobs} and {@code job} are in
 * {@link org.sparkgrid.jobs.cli.ServiceCommands}; {@code report}, {@code models}, {@code rewards},
 * {@code split} and {@code quickstart} have a class each. Nothing in the runtime uses this package.
 */
package org.sparkgrid.jobs.cli;
