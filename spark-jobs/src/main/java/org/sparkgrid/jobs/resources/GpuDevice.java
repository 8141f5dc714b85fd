package org.sparkgrid.jobs.resources;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins ND4J, on a Spark task's thread, to the GPU that Spark assigned the task, so that two tasks
 * never train on the same GPU by accident: Spark hands each task distinct addresses (unless the
 * configuration shares a GPU on purpose with a fractional {@code spark.task.resource.gpu.amount}),
 * and each task trains on its own.
 *
 * <p>An address is a GPU number as the discovery script reports it (conf/gpu-discovery.sh: nvidia-smi's
 * index, PCI bus order; executors run with {@code CUDA_DEVICE_ORDER=PCI_BUS_ID} so that CUDA numbers
 * them the same way). Where the executor sees only some GPUs ({@code CUDA_VISIBLE_DEVICES}), CUDA
 * renumbers them from 0 in that list's order, and the device is the address's position in it.
 *
 * <pre>{@code
 * GpuDevice.Selection s = GpuDevice.selectForTask();   // first thing in the task, before any INDArray
 * LOG.info("worker {}: {}", partition, s);             // e.g. "GPU 1 -> ND4J device 1"
 * }</pre>
 */
public final class GpuDevice {
  private static final Logger LOG = LoggerFactory.getLogger(GpuDevice.class);

  /** Spark's name for the GPU resource. */
  public static final String GPU = "gpu";

  private GpuDevice() {}

  /**
   * What a task did with its GPU.
   *
   * @param address the GPU address Spark assigned the task; {@code null}: none
   * @param device  the ND4J device it trains on; {@code null}: ND4J's default (CPU, or no GPU assigned)
   * @param note    in words, for the log
   */
  public record Selection(String address, Integer device, String note) implements java.io.Serializable {
    @Override
    public String toString() {
      return note;
    }
  }

  /**
   * Reads the GPU Spark assigned the current task and, when there is one and ND4J runs on CUDA, makes
   * it this thread's ND4J device. Call it on the task's thread before the task creates any array.
   * With ND4J's CPU backend a GPU address is logged and left unused (start-up refuses a GPU
   * configuration with a CPU build, see {@link GpuPreflight}); outside a task, or without a GPU,
   * nothing changes.
   *
   * @throws IllegalStateException if the address does not name a GPU this executor has
   */
  public static Selection selectForTask() {
    String address = assignedAddress();
    if (address == null) {
      return new Selection(null, null, TaskContext.get() == null ? "not in a Spark task: ND4J's default device"
          : "no GPU assigned: ND4J's default device");
    }
    if (Nd4j.getEnvironment().isCPU()) {
      Selection s = new Selection(address, null, "GPU " + address + " assigned, but ND4J runs on its CPU backend:"
          + " the GPU is not used");
      LOG.warn(s.note());
      return s;
    }
    int device = deviceFor(address, System.getenv("CUDA_VISIBLE_DEVICES"), Nd4j.getAffinityManager().getNumberOfDevices());
    Nd4j.getAffinityManager().unsafeSetDevice(device);
    Selection s = new Selection(address, device, "GPU " + address + " -> ND4J device " + device);
    LOG.info("task {}: {}", TaskContext.get().taskAttemptId(), s.note());
    return s;
  }

  /**
   * The first GPU address of the current task, or {@code null} outside a task or without one. A task
   * given several GPUs trains on the first (ND4J's training runs on one device per thread).
   */
  public static String assignedAddress() {
    TaskContext ctx = TaskContext.get();
    if (ctx == null) {
      return null;
    }
    return firstAddress(ctx.resourcesJMap());
  }

  static String firstAddress(Map<String, ResourceInformation> resources) {
    ResourceInformation gpu = resources.get(GPU);
    if (gpu == null || gpu.addresses().length == 0) {
      return null;
    }
    if (gpu.addresses().length > 1) {
      LOG.warn("task was given GPUs {}; ND4J trains on the first", Arrays.toString(gpu.addresses()));
    }
    return gpu.addresses()[0];
  }

  /**
   * The CUDA (ND4J) device of a GPU address.
   *
   * @param address            the address Spark assigned: a GPU number, e.g. {@code "1"}
   * @param cudaVisibleDevices the executor's {@code CUDA_VISIBLE_DEVICES}, or null/blank when unset
   * @param numberOfDevices    the devices ND4J sees
   * @throws IllegalStateException naming the address when it is not a GPU number, is not among
   *     {@code CUDA_VISIBLE_DEVICES}, or is beyond the devices ND4J sees
   */
  static int deviceFor(String address, String cudaVisibleDevices, int numberOfDevices) {
    String a = address.strip();
    if (!a.matches("[0-9]{1,4}")) {
      throw new IllegalStateException("GPU address \"" + address + "\" is not a GPU number; the discovery script"
          + " must report nvidia-smi's indexes (conf/gpu-discovery.sh does)");
    }
    int device = Integer.parseInt(a);
    if (cudaVisibleDevices != null && !cudaVisibleDevices.isBlank()) {
      List<String> visible = Arrays.stream(cudaVisibleDevices.split(",")).map(String::strip).toList();
      device = visible.indexOf(a);
      if (device < 0) {
        throw new IllegalStateException("GPU address " + a + " is not among CUDA_VISIBLE_DEVICES=" + cudaVisibleDevices
            + " of this executor, so CUDA cannot reach it");
      }
    }
    if (device >= numberOfDevices) {
      throw new IllegalStateException("GPU address " + a + " is CUDA device " + device + " but ND4J sees "
          + numberOfDevices + (numberOfDevices == 1 ? " device" : " devices") + " on this executor");
    }
    return device;
  }
}
