package org.sparkgrid.core.request;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Expands a request with a sweep into its trials: one complete request per configuration, with
 * the sweep removed and its own id, so that each trial trains and checkpoints like any job.
 *
 * <ul>
 *   <li><b>grid</b>: every combination, in the order of nested loops over the parameters as the
 *       request lists them, the first parameter outermost: {@code lr: [a, b], batchSize: [32, 64]}
 *       gives {@code (a,32) (a,64) (b,32) (b,64)}.
 *   <li><b>random</b>: {@code trials} distinct combinations (sampling without replacement; the
 *       codec refuses more trials than there are combinations). Each draw picks every parameter's
 *       value uniformly and independently from its list with a {@link SplittableRandom} seeded by
 *       the request's {@code training.seed}; a combination drawn before is drawn again. Trials are
 *       numbered in draw order, so the same request always expands to the same trials.
 * </ul>
 *
 * <pre>{@code
 * List<SweepTrials.Trial> trials = SweepTrials.expand(request, "fmnist-mlp-sweep");
 * trials.get(1).id();         // "fmnist-mlp-sweep-trial-1"
 * trials.get(1).overrides();  // {training.updater.learningRate=0.001}
 * trials.get(1).request();    // the full request of that trial, sweep == null
 * }</pre>
 */
public final class SweepTrials {

  /** What a trial's id adds to its sweep's job id, before the trial number. */
  public static final String TRIAL_SUFFIX = "-trial-";

  /**
   * The longest job id a sweep may have, so that every trial id ({@link #trialId}) fits in the
   * 128 characters that ids and store names allow.
   */
  public static final int MAX_JOB_ID_LENGTH =
      128 - TRIAL_SUFFIX.length() - String.valueOf(SweepSpec.MAX_TRIALS - 1).length();

  private SweepTrials() {}

  /**
   * One configuration of a sweep.
   *
   * @param index     0-based trial number
   * @param id        the trial's job id, {@link #trialId}{@code (jobId, index)}
   * @param overrides the swept fields and this trial's values, in the sweep's parameter order
   * @param request   the complete request this trial trains: the sweep's request with the
   *                  overrides applied, id {@code id}, and no sweep
   */
  public record Trial(int index, String id, Map<String, Object> overrides, TrainingRequest request) {
    public Trial {
      overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    }
  }

  /** The job id of trial {@code index} of the sweep job {@code jobId}: {@code <jobId>-trial-<index>}. */
  public static String trialId(String jobId, int index) {
    return jobId + TRIAL_SUFFIX + index;
  }

  /**
   * The trials of a request's sweep.
   *
   * @param request a request with a sweep, as {@link RequestCodec#parse} returned it
   * @param jobId   the sweep's job id (usually the request id), at most {@value #MAX_JOB_ID_LENGTH}
   *                characters
   * @throws IllegalArgumentException if the request has no sweep or the job id is too long
   * @throws InvalidRequestException  if a trial's request is refused (the codec has already checked
   *                                  every swept value against its field, so this names a rule between fields)
   */
  public static List<Trial> expand(TrainingRequest request, String jobId) {
    SweepSpec sweep = request.sweep();
    if (sweep == null) {
      throw new IllegalArgumentException("request " + request.id() + " has no sweep");
    }
    if (jobId.length() > MAX_JOB_ID_LENGTH) {
      throw new IllegalArgumentException("job id '" + jobId + "' has " + jobId.length() + " characters; a sweep's"
          + " job id may have at most " + MAX_JOB_ID_LENGTH + " so that its trial ids fit in 128");
    }
    List<int[]> choices = sweep.random()
        ? randomChoices(sweep, request.training().seed())
        : gridChoices(sweep);
    List<String> fields = List.copyOf(sweep.parameters().keySet());
    List<Trial> trials = new ArrayList<>(choices.size());
    for (int k = 0; k < choices.size(); k++) {
      Map<String, Object> overrides = new LinkedHashMap<>();
      for (int f = 0; f < fields.size(); f++) {
        overrides.put(fields.get(f), sweep.parameters().get(fields.get(f)).get(choices.get(k)[f]));
      }
      TrainingRequest r = RequestCodec.withOverrides(request, overrides);
      String id = trialId(jobId, k);
      trials.add(new Trial(k, id, overrides, new TrainingRequest(r.schema(), id, r.mode(), r.model(), r.data(),
          r.training(), r.engine(), null, r.federation(), r.reward())));
    }
    return trials;
  }

  /** Every combination as value indices, the last parameter varying fastest. */
  private static List<int[]> gridChoices(SweepSpec sweep) {
    int[] sizes = sizes(sweep);
    int n = sweep.trialCount();
    List<int[]> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      int[] choice = new int[sizes.length];
      int rest = k;
      for (int f = sizes.length - 1; f >= 0; f--) {
        choice[f] = rest % sizes[f];
        rest /= sizes[f];
      }
      out.add(choice);
    }
    return out;
  }

  /** {@code trials} distinct combinations, each value drawn uniformly, repeats drawn again. */
  private static List<int[]> randomChoices(SweepSpec sweep, long seed) {
    int[] sizes = sizes(sweep);
    if (sweep.trials() > sweep.combinations()) {
      throw new IllegalArgumentException("sweep.trials is " + sweep.trials() + " but sweep.parameters has only "
          + sweep.combinations() + " combinations");
    }
    SplittableRandom random = new SplittableRandom(seed);
    Set<List<Integer>> seen = new HashSet<>();
    List<int[]> out = new ArrayList<>(sweep.trials());
    while (out.size() < sweep.trials()) {
      int[] choice = new int[sizes.length];
      List<Integer> key = new ArrayList<>(sizes.length);
      for (int f = 0; f < sizes.length; f++) {
        choice[f] = random.nextInt(sizes[f]);
        key.add(choice[f]);
      }
      if (seen.add(key)) {
        out.add(choice);
      }
    }
    return out;
  }

  private static int[] sizes(SweepSpec sweep) {
    return sweep.parameters().values().stream().mapToInt(List::size).toArray();
  }
}
