package org.sparkgrid.jobs.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.resources.GpuDevice;

/**
 * The worker side of {@link AveragingEngine}: one barrier task per worker. It rebuilds the network
 * from the broadcast state, fits {@code averagingFrequency} minibatches of its own shard, averages
 * (examples, parameters, updater state) with the other workers through its {@link Averager} (with its
 * peers, {@link PeerExchange}, or through the driver's {@link ExchangeServer}), sets the
 * example-weighted mean, and repeats for the job's sync steps. Every worker gets the
 * same mean, so all hold identical parameters after each averaging.
 */
final class AveragingTask {
  private AveragingTask() {}

  static Iterator<TaskReport> run(Iterator<ExampleShard> shards, Broadcast<SegmentSpec> broadcast) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int w = ctx.partitionId();
    SegmentSpec spec = broadcast.value();
    SyncPlan plan = spec.plan();
    if (!shards.hasNext()) {
      throw new IllegalStateException("worker " + w + " has no data shard");
    }
    ExampleShard shard = shards.next();
    if (shards.hasNext() || shard.count() != plan.count(w)) {
      throw new IllegalStateException(
          "worker " + w + " expected one shard of " + plan.count(w) + " examples, got " + shard.count());
    }
    GpuDevice.selectForTask(); // before any array exists on this thread
    NetworkFactory.limitThreads(spec.threads());
    MultiLayerNetwork net = NetworkFactory.fromParams(
        spec.networkJson(), spec.state().params(), spec.state().updaterState());
    long iterations = spec.state().iterations();
    net.setIterationCount((int) Math.min(Integer.MAX_VALUE, iterations));
    net.setEpochCount(spec.epoch());

    int[] order = spec.shuffle() ? Minibatches.shuffledOrder(shard.count(), spec.shuffleSeed(w)) : null;
    int bs = plan.batchSize();
    long examples = 0;
    double lossSum = 0;
    int syncs = 0;
    long t0 = System.nanoTime();
    int length = (int) (net.numParams() + NetworkFactory.updaterState(net).length);
    try (Averager exchange = Averager.open(spec.exchange(), spec.mode(), executorHost(), spec.round(),
        ctx.stageAttemptNumber(), w, plan.workers(), length, spec.syncTimeoutMs())) {
    for (int step = spec.fromStep(); step < spec.toStep(); step++) {
      long stepExamples = 0;
      for (int b = plan.firstBatch(w, step); b < plan.endBatch(w, step); b++) {
        int from = b * bs;
        int to = Math.min(from + bs, shard.count());
        DataSet ds = Minibatches.batch(shard, order, from, to, spec.numClasses(), spec.normalizer());
        net.fit(ds);
        lossSum += net.score() * (to - from);
        stepExamples += to - from;
      }
      examples += stepExamples;
      float[] mean = exchange.average(step, stepExamples, stepExamples > 0 ? concat(net) : null);
      if (mean != null) {
        setState(net, mean);
      }
      iterations += longestStep(plan, step);
      net.setIterationCount((int) Math.min(Integer.MAX_VALUE, iterations));
      syncs++;
    }
    } catch (IOException e) {
      throw new UncheckedIOException("worker " + w + ": averaging exchange (" + spec.mode().configName()
          + ", driver at " + spec.exchange() + ") failed: " + e.getMessage(), e);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    ModelState out = w == 0
        ? new ModelState(NetworkFactory.params(net), NetworkFactory.updaterState(net), iterations)
        : null;
    return List.of(new TaskReport(w, examples, lossSum, seconds, syncs, out)).iterator();
  }

  /** This executor's address as the other executors reach it: the one its block manager advertises. */
  static String executorHost() {
    return org.apache.spark.SparkEnv.get().blockManager().blockManagerId().host();
  }

  /** Minibatches fitted in {@code step} by the busiest worker: how far the shared iteration count moves. */
  static int longestStep(SyncPlan plan, int step) {
    int most = 0;
    for (int w = 0; w < plan.workers(); w++) {
      most = Math.max(most, plan.endBatch(w, step) - plan.firstBatch(w, step));
    }
    return most;
  }

  private static float[] concat(MultiLayerNetwork net) {
    float[] p = NetworkFactory.params(net);
    float[] u = NetworkFactory.updaterState(net);
    float[] v = new float[p.length + u.length];
    System.arraycopy(p, 0, v, 0, p.length);
    System.arraycopy(u, 0, v, p.length, u.length);
    return v;
  }

  private static void setState(MultiLayerNetwork net, float[] mean) {
    int np = (int) net.numParams();
    float[] p = java.util.Arrays.copyOfRange(mean, 0, np);
    float[] u = java.util.Arrays.copyOfRange(mean, np, mean.length);
    NetworkFactory.setState(net, p, u);
  }
}
