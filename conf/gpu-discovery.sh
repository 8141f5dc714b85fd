#!/usr/bin/env bash
# Spark's GPU discovery script for SparkGrid (spark.executor.resource.gpu.discoveryScript, or
# spark.worker.resource.gpu.discoveryScript on a standalone worker). Prints the GPUs of this machine as
# Spark's ResourceInformation JSON, e.g. {"name": "gpu", "addresses": ["0", "1"]}, one address per
# GPU, as nvidia-smi numbers them (PCI bus order: run executors with CUDA_DEVICE_ORDER=PCI_BUS_ID so
# that CUDA, and ND4J, number them the same way). When CUDA_VISIBLE_DEVICES is set, only those GPUs.
# With no NVIDIA driver or no GPU it exits 1 with a message on stderr, which Spark shows when it
# refuses to start the executor.
set -euo pipefail

host=$(hostname 2>/dev/null || echo "this machine")
cpu_hint="To train on CPU instead, use conf/spark-defaults.conf (no spark.*.resource.gpu.* settings)."

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-discovery.sh: nvidia-smi is not on the PATH of $host, so there is no NVIDIA driver and no GPU to give Spark. $cpu_hint" >&2
  exit 1
fi
if ! listed=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1); then
  echo "gpu-discovery.sh: nvidia-smi failed on $host: $listed. $cpu_hint" >&2
  exit 1
fi

addresses=()
while IFS= read -r line; do
  index=${line//[[:space:]]/}
  if [[ $index =~ ^[0-9]+$ ]]; then
    if [[ -n ${CUDA_VISIBLE_DEVICES:-} && ",${CUDA_VISIBLE_DEVICES// /}," != *",$index,"* ]]; then
      continue
    fi
    addresses+=("\"$index\"")
  fi
done <<< "$listed"

if (( ${#addresses[@]} == 0 )); then
  echo "gpu-discovery.sh: nvidia-smi lists no GPU on $host${CUDA_VISIBLE_DEVICES:+ among CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES}. $cpu_hint" >&2
  exit 1
fi
(IFS=,; printf '{"name": "gpu", "addresses": [%s]}\n' "${addresses[*]}")
