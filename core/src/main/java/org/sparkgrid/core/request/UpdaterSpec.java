package org.sparkgrid.core.request;

/**
 * The optimizer.
 *
 * @param type         sgd, nesterovs, adam, rmsprop, adagrad (default adam)
 * @param learningRate step size, in (0, 10] (default 0.001)
 * @param momentum     nesterovs only, in [0, 1) (default 0.9)
 */
public record UpdaterSpec(String type, double learningRate, double momentum) {}
