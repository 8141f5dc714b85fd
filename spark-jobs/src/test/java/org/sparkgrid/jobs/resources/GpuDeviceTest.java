package org.sparkgrid.jobs.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** From the GPU address Spark assigns a task to the ND4J device it trains on. */
class GpuDeviceTest {

  @Test
  void anAddressIsItsDeviceWhenTheExecutorSeesEveryGpu() {
    assertThat(GpuDevice.deviceFor("0", null, 2)).isZero();
    assertThat(GpuDevice.deviceFor("1", "", 2)).isEqualTo(1);
  }

  @Test
  void withCudaVisibleDevicesTheDeviceIsThePositionInThatList() {
    // CUDA renumbers the visible GPUs 0, 1, ... in the order the variable lists them
    assertThat(GpuDevice.deviceFor("3", "1,3", 2)).isEqualTo(1);
    assertThat(GpuDevice.deviceFor("1", " 1 , 3 ", 2)).isZero();
  }

  @Test
  void anAddressOutsideCudaVisibleDevicesIsRefused() {
    assertThatThrownBy(() -> GpuDevice.deviceFor("2", "1,3", 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("GPU address 2 is not among CUDA_VISIBLE_DEVICES=1,3 of this executor, so CUDA cannot reach it");
  }

  @Test
  void anAddressBeyondTheDevicesNd4jSeesIsRefused() {
    assertThatThrownBy(() -> GpuDevice.deviceFor("2", null, 2))
        .hasMessage("GPU address 2 is CUDA device 2 but ND4J sees 2 devices on this executor");
  }

  @Test
  void anAddressThatIsNotAGpuNumberIsRefused() {
    assertThatThrownBy(() -> GpuDevice.deviceFor("GPU-5e2f", null, 2))
        .hasMessageStartingWith("GPU address \"GPU-5e2f\" is not a GPU number");
  }

  @Test
  void aTaskTrainsOnTheFirstOfItsGpus() {
    Map<String, ResourceInformation> two = Map.of("gpu", new ResourceInformation("gpu", new String[] {"2", "3"}));

    assertThat(GpuDevice.firstAddress(two)).isEqualTo("2");
    assertThat(GpuDevice.firstAddress(Map.of())).isNull();
    assertThat(GpuDevice.firstAddress(Map.of("gpu", new ResourceInformation("gpu", new String[0])))).isNull();
  }

  @Test
  void outsideATaskNothingIsSelected() {
    GpuDevice.Selection s = GpuDevice.selectForTask();

    assertThat(s.address()).isNull();
    assertThat(s.device()).isNull();
    assertThat(s.note()).isEqualTo("not in a Spark task: ND4J's default device");
  }
}
