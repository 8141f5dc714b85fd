package org.sparkgrid.jobs.modes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.compute.SweepRunner;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RunMode;
import org.sparkgrid.jobs.tree.FederationRunner;

/** The one place that chooses a run: by the request's mode, for the shipped example requests. */
class RunModesTest {
  // choosing constructs a run without touching Spark or the stores: none is needed here
  private final RunModes.Context context = new RunModes.Context(null, SparkGridConfig.from(Map.of()), null, null,
      ProgressListener.NONE);

  private static TrainingRequest example(String file) throws Exception {
    return RequestCodec.parse(Files.readAllBytes(Path.of("..", "conf", "requests", file)));
  }

  @Test
  void aComputeRequestRunsAsAComputeJob() throws Exception {
    TrainingRequest request = example("fmnist-mlp.json");

    assertThat(RunMode.of(request)).isEqualTo(RunMode.COMPUTE);
    assertThat(RunModes.forRequest(request, context)).isInstanceOf(ComputeJob.class);
  }

  @Test
  void aRequestWithASweepRunsAsASweep() throws Exception {
    TrainingRequest request = example("fmnist-mlp-sweep.json");

    assertThat(RunMode.of(request)).isEqualTo(RunMode.SWEEP);
    assertThat(RunModes.forRequest(request, context)).isInstanceOf(SweepRunner.class);
  }

  @Test
  void aTreeRequestRunsAsAFederation() throws Exception {
    TrainingRequest request = example("fmnist-tree.json");

    assertThat(RunMode.of(request)).isEqualTo(RunMode.TREE);
    assertThat(RunModes.forRequest(request, context)).isInstanceOf(FederationRunner.class);
  }

  @Test
  void everyModeHasARun() {
    assertThat(RunMode.values()).allSatisfy(m -> assertThat(RunModes.forMode(m, context)).isNotNull()
        .isInstanceOfAny(ComputeJob.class, SweepRunner.class, FederationRunner.class));
  }
}
