#!/usr/bin/env bash
# The Keras weeks on a lent GPU machine: process runner, Keras on JAX, GpuSlots' real
# CUDA_VISIBLE_DEVICES, 4 jobs packed on one GPU, timings per week.
#
# That machine (see /work/.library/device/README.md): Python 3.12 with PyTorch and JAX,
# no TensorFlow, no Docker, nothing reachable. So the jobs are built HERE (they need the
# course, nbgrader and the grader) and only gpu_runner runs THERE, with the executor's
# packages and Keras carried as wheels.
#
# 1. Here, once, from the repository root (network: PyPI only):
#
#      bash bench/gpu_check.sh fetch     # wheels into .whl/, jobs into .gpucheck/
#
#    which runs, for every wheel the machine lacks (keras, namex, optree and the
#    executor's Jupyter stack; versions as installed here):
#      python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
#        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
#        --platform manylinux1_x86_64 -d .whl NAME==VERSION
#    and `python bench/gpu_jobs.py prepare --out .gpucheck` (4 copies per Keras week).
#
# 2. There, one device run carrying .whl and .gpucheck (limit ~10 min):
#
#      bash bench/gpu_check.sh           # writes $OUT/gpucheck.log, timings.md, outputs.tar.gz
#
# 3. Back here: python bench/gpu_jobs.py score --outputs DIR (DIR: outputs.tar.gz unpacked).
#
# Dry run on a CPU machine (slot plumbing only, no notebooks): AUTOGRADER_GPUS=0 bash
# bench/gpu_check.sh dry
set -uo pipefail
cd "$(dirname "$0")/.."

WHEELS=(
  keras==3.15.1 namex==0.1.0 optree==0.20.0
  nbclient==0.11.0 nbformat==5.11.1 jupyter_client==8.10.0 jupyter_core==5.9.1
  ipykernel==7.4.0 ipython==8.12.3 traitlets==5.15.0 pyzmq==27.3.0 tornado==6.6.1
  comm==0.2.3 debugpy==1.8.22 matplotlib-inline==0.2.2 nest-asyncio2==1.7.4
  decorator==5.2.1 jedi==0.20.0 parso==0.8.7 pexpect==4.8.0 ptyprocess==0.7.0
  prompt_toolkit==3.0.52 wcwidth==0.7.0 stack-data==0.6.3 asttokens==3.0.1
  executing==2.2.1 pure_eval==0.2.3 backcall==0.2.0 pickleshare==0.7.5
  fastjsonschema==2.22.3 jsonschema==4.26.0 jsonschema-specifications==2025.9.1
  referencing==0.37.0 rpds-py==0.30.0 platformdirs==4.14.9
)

fetch() {
  # .whl/ and .gpucheck/ are in .gitignore: they travel only when a device run carries them
  mkdir -p .whl
  for spec in "${WHEELS[@]}"; do
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
      --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
      --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
      --platform manylinux1_x86_64 -d .whl "$spec" || { echo "no wheel: $spec"; exit 1; }
  done
  du -sh .whl
  PYTHONPATH="$PWD" python3 bench/gpu_jobs.py prepare --out .gpucheck
  du -sh .gpucheck
}

there() {
  local out="${OUT:-/tmp/gpucheck-out}"
  mkdir -p "$out"
  exec > >(tee "$out/gpucheck.log") 2>&1
  if compgen -G ".whl/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH="/tmp/site:$PWD"
  else
    export PYTHONPATH="$PWD"
  fi
  export KERAS_BACKEND=jax PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3
  nvidia-smi -L || echo "no nvidia-smi"
  python3 -c "import sys, keras, jax; print(sys.version.split()[0], 'keras', keras.__version__, \
keras.backend.backend(), jax.devices())" || exit 1
  # the slot plumbing first (seconds): each kernel sees exactly its leased device
  python3 bench/gpu_jobs.py run --dry-run --out /tmp/gpucheck-dry --jobs-per-gpu 4 || exit 1
  # the Keras weeks, 4 solution jobs of each at once on one GPU
  python3 bench/gpu_jobs.py run --jobs-dir .gpucheck --out /tmp/gpucheck-runs --jobs-per-gpu 4
  local rc=$?
  cp /tmp/gpucheck-runs/timings.md "$out/" 2>/dev/null
  tar -C /tmp/gpucheck-runs -czf "$out/outputs.tar.gz" . 2>/dev/null
  nvidia-smi --query-gpu=memory.used,memory.total --format=csv || true
  return $rc
}

case "${1:-there}" in
  fetch) fetch ;;
  dry) PYTHONPATH="$PWD" KERAS_BACKEND=jax python3 bench/gpu_jobs.py run --dry-run \
         --out "${OUT:-/tmp/gpucheck-dry}" --jobs-per-gpu 4 ;;
  there) there ;;
  *) echo "usage: bench/gpu_check.sh [fetch|dry|there]"; exit 2 ;;
esac
