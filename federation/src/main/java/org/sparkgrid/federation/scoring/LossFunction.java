package org.sparkgrid.federation.scoring;

/**
 * The coordinator's validation loss of a parameter vector: lower is better. The Spark side
 * implements it by loading the parameters into the model and evaluating the held-out set; tests
 * use a closed form. Must be deterministic: scoring compares its values.
 */
@FunctionalInterface
public interface LossFunction {

  /** The loss of the model with these parameters; the array must not be modified. */
  double loss(float[] params);
}
