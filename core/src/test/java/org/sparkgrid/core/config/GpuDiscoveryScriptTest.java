package org.sparkgrid.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/gpu-discovery.sh, run as Spark runs it, with a stand-in nvidia-smi on the PATH (this machine
 * has no GPU): it prints Spark's resource JSON, honours CUDA_VISIBLE_DEVICES, and without a driver or
 * a GPU exits 1 with a message that says how to run on CPU.
 */
class GpuDiscoveryScriptTest {
  private static final Path SCRIPT = ConfFiles.ROOT.resolve("conf/gpu-discovery.sh");

  @TempDir Path bin;

  private record Run(int status, String stdout, String stderr) {}

  @Test
  void printsOneAddressPerGpuThatNvidiaSmiLists() throws Exception {
    fakeNvidiaSmi("echo 0; echo 1; echo 3");

    Run r = run(Map.of());

    assertThat(r.status()).isZero();
    assertThat(r.stdout()).isEqualTo("{\"name\": \"gpu\", \"addresses\": [\"0\",\"1\",\"3\"]}\n");
  }

  @Test
  void keepsOnlyTheGpusInCudaVisibleDevices() throws Exception {
    fakeNvidiaSmi("echo 0; echo 1; echo 2; echo 3");

    Run r = run(Map.of("CUDA_VISIBLE_DEVICES", "1,3"));

    assertThat(r.stdout()).isEqualTo("{\"name\": \"gpu\", \"addresses\": [\"1\",\"3\"]}\n");
  }

  @Test
  void withoutNvidiaSmiItFailsSayingThereIsNoDriverAndHowToRunOnCpu() throws Exception {
    Run r = run(Map.of());

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).contains("nvidia-smi is not on the PATH of ")
        .contains("no NVIDIA driver and no GPU to give Spark")
        .contains("To train on CPU instead, use conf/spark-defaults.conf");
  }

  @Test
  void whenNvidiaSmiListsNoGpuItFails() throws Exception {
    fakeNvidiaSmi("exit 0");

    Run r = run(Map.of());

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).contains("nvidia-smi lists no GPU on ");
  }

  @Test
  void whenNvidiaSmiFailsItPassesOnItsMessage() throws Exception {
    fakeNvidiaSmi("echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver'; exit 9");

    Run r = run(Map.of());

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.stderr()).contains("nvidia-smi failed on ").contains("could not communicate with the NVIDIA driver");
  }

  private void fakeNvidiaSmi(String body) throws IOException {
    Path smi = bin.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\n" + body + "\n"); // echo and exit are sh built-ins: no PATH needed
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * Runs the script with a PATH of only {@code bin}: bash and hostname (linked from this machine),
   * and the stand-in nvidia-smi when a test wrote one, so a real driver here cannot interfere.
   */
  private Run run(Map<String, String> env) throws Exception {
    for (String tool : List.of("bash", "hostname")) {
      Path link = bin.resolve(tool);
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, which(tool));
      }
    }
    ProcessBuilder pb = new ProcessBuilder(List.of(SCRIPT.toString()));
    pb.environment().remove("CUDA_VISIBLE_DEVICES");
    pb.environment().put("PATH", bin.toString());
    pb.environment().putAll(env);
    Path out = bin.resolve("stdout");
    Path err = bin.resolve("stderr");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static Path which(String tool) {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(tool + " not found in /usr/bin, /bin or /usr/local/bin");
  }
}
