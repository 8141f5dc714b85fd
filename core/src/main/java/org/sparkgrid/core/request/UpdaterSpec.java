package org.sparkgrid.core.request;

/**
 * The optimizer.
 *
 * @param type         sgd, nesterovs, adam, rmsprop, adagrad (default adam)
 * @param learningRate step size, in (0, 10] (default 0.001)
 * @param momentum     in [0, 1) (default 0.9); accepted with every type, used by nesterovs only
 */
public record UpdaterSpec(String type, double learningRate, double momentum) {}
