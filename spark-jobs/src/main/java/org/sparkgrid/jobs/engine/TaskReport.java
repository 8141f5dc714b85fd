package org.sparkgrid.jobs.engine;

import java.io.Serializable;

/**
 * What one worker returns at the end of a Spark job.
 *
 * @param worker     the partition
 * @param examples   examples it fitted in this job
 * @param lossSum    sum over its minibatches of (minibatch loss x minibatch size)
 * @param seconds    wall time of the task's training loop
 * @param syncs      averagings it took part in
 * @param state      the averaged model after the job; only worker 0 sends it (all are equal), others null
 */
record TaskReport(int worker, long examples, double lossSum, double seconds, int syncs, ModelState state)
    implements Serializable {}
