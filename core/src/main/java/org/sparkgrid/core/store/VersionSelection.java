package org.sparkgrid.core.store;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * Which version a {@link ModelRef} selects among a model's versions: the rule every
 * {@link ModelStore} applies, kept apart from how a store lists its versions.
 *
 * <ul>
 *   <li>{@code name@latest} (or bare {@code name}): the highest version number;
 *   <li>{@code name@N}: version N;
 *   <li>{@code name@best}: the highest accuracy, ties going to the newest (highest number);
 *       versions without an accuracy are not candidates.
 * </ul>
 */
public final class VersionSelection {

  private VersionSelection() {}

  /**
   * Selects the version {@code ref} names.
   *
   * @param ref      the reference
   * @param versions all versions of {@code ref.name()}, in any order; empty if the model does not exist
   * @throws NoSuchElementException   if nothing matches; the message names the reference and the
   *     versions that exist, or says that the model does not exist
   * @throws IllegalArgumentException if a version belongs to another model
   */
  public static ModelVersion select(ModelRef ref, List<ModelVersion> versions) {
    for (ModelVersion v : versions) {
      if (!v.name().equals(ref.name())) {
        throw new IllegalArgumentException("version " + v.name() + "@" + v.version() + " is not a version of model '" + ref.name() + "'");
      }
    }
    if (versions.isEmpty()) {
      throw new NoSuchElementException("cannot resolve " + ref + ": model '" + ref.name() + "' does not exist");
    }
    ModelVersion selected = null;
    switch (ref.selector()) {
      case LATEST -> {
        for (ModelVersion v : versions) {
          if (selected == null || v.version() > selected.version()) {
            selected = v;
          }
        }
      }
      case VERSION -> {
        for (ModelVersion v : versions) {
          if (v.version() == ref.version()) {
            selected = v;
          }
        }
        if (selected == null) {
          throw new NoSuchElementException("cannot resolve " + ref + ": model '" + ref.name() + "' has no version "
              + ref.version() + " (versions: " + numbers(versions) + ")");
        }
      }
      case BEST -> {
        for (ModelVersion v : versions) {
          if (v.accuracy() != null && (selected == null || isBetter(v, selected))) {
            selected = v;
          }
        }
        if (selected == null) {
          throw new NoSuchElementException("cannot resolve " + ref + ": no version of model '" + ref.name()
              + "' has an accuracy in metrics.json (versions: " + numbers(versions) + ")");
        }
      }
    }
    return selected;
  }

  private static boolean isBetter(ModelVersion candidate, ModelVersion current) {
    int byAccuracy = Double.compare(candidate.accuracy(), current.accuracy());
    return byAccuracy > 0 || (byAccuracy == 0 && candidate.version() > current.version());
  }

  private static List<Integer> numbers(List<ModelVersion> versions) {
    return versions.stream().map(ModelVersion::version).sorted().toList();
  }
}
