#!/usr/bin/env bash
# Peak resident memory of a real `nst stylize` run (L-BFGS, the default optimiser).
# A benchmark, not a test: it asserts nothing.
#
#   bash bench/peak-memory.sh [size] [iterations] [backend] [nst stylize options...]
#                                                              (npm run bench:memory -- ...)
#
# size: --size in px (default 256; 512 is the stylize default but takes long on llvmpipe).
# iterations: objective evaluations (default 3): memory peaks in the first evaluations, when
#   every kernel and every L-BFGS buffer has been allocated once.
# backend: auto (default), headlessgl, webasm or cpu. headlessgl (or auto) without an X
#   display runs under `xvfb-run -a` when that exists, as `npm run bench:compare` does.
# Further arguments go to `nst stylize` as they are (e.g. --line-search none, so that each
# iteration is one evaluation). CONTENT and STYLE (environment) override the images; MODEL the
# network (default vgg19; its weights are weights/<MODEL>.nstw).
#
# It also prints seconds per objective evaluation (from a --trace of the run) and whether the
# run evaluated in tiles (--tile, or chosen from the memory estimate).
#
# Peak RSS comes from GNU time (`/usr/bin/time -v`, Debian package `time`); without it,
# from the kernel's high-water mark VmHWM in /proc/<pid>/status, sampled every 0.1 s.
set -euo pipefail

size=${1:-256}
iterations=${2:-3}
backend=${3:-auto}
extra=("${@:4}")
cd "$(dirname "$0")/.."
content=${CONTENT:-../shared/images/tubingen.jpg}
style=${STYLE:-../shared/images/starry_night.jpg}

die() { echo "peak-memory: $*" >&2; exit 2; }

model=${MODEL:-vgg19}
weights=weights/$model.nstw
if [[ ! -f $weights ]]; then
  die "$weights is missing: create it with \`npx nst weights import\` (README, Set-up)"
fi
# Re-run this script with a display, so that headlessgl is what is measured.
if [[ ( $backend == headlessgl || $backend == auto ) && -z ${DISPLAY:-} ]] && command -v xvfb-run >/dev/null; then
  exec xvfb-run -a bash "$0" "$size" "$iterations" "$backend" "${extra[@]}"
fi
npm run build --silent # measure the code as it is now, not a stale dist/

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nst=(node bin/nst.js stylize "$content" "$style" -o "$work/out.png" --size "$size" --iterations "$iterations"
  --optimizer lbfgs --backend "$backend" --model "$model" --weights "$weights" --print-every 1 --trace "$work/trace.json" "${extra[@]}")

status=0
if [[ -x /usr/bin/time ]]; then
  method='/usr/bin/time -v'
  /usr/bin/time -v -o "$work/time" "${nst[@]}" 2>"$work/log" || status=$?
  peak_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
else
  method='VmHWM polling (install the Debian package `time` for an exact figure)'
  "${nst[@]}" 2>"$work/log" &
  pid=$!
  peak_kib=0
  # VmHWM only grows, so the last value read is the peak up to 0.1 s before the end; a
  # finished process that is not yet reaped has no VmHWM line, hence the -n test.
  while [[ -r /proc/$pid/status ]]; do
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n $hwm ]] && peak_kib=$hwm
    sleep 0.1
  done
  wait "$pid" || status=$?
fi

if ((status != 0)); then
  cat "$work/log" >&2
  die "nst stylize failed (exit $status)"
fi
ran=$(sed -n 's/.* iterations on \([a-z0-9]*\) in .*/\1/p' "$work/log")
# Seconds per evaluation from the trace's clock: the first (with the kernels' compilation) and
# the mean of the later ones.
timing=$(node -e '
  const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).iterations.map((e) => e.ms / 1000);
  const later = t.length > 1 ? `, later ones ${((t[t.length - 1] - t[0]) / (t.length - 1)).toFixed(1)} s each` : "";
  console.log(`${t.length} evaluations in ${t[t.length - 1].toFixed(1)} s: the first ${t[0].toFixed(1)} s${later}`);
' "$work/trace.json")
tiles=$(grep -o 'evaluated in tiles of [0-9]* px' "$work/log" || echo 'whole image')
echo "$model, size $size: peak RSS $((peak_kib / 1024)) MiB ($iterations iterations, L-BFGS${extra[*]:+ ${extra[*]}}, backend ${ran:-$backend}, by $method; $tiles); $timing"
