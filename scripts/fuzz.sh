#!/usr/bin/env bash
# Run every libFuzzer target (build-fuzz/fuzz_*) for a while.
#
#   scripts/fuzz.sh [--no-build] [SECONDS] [TARGET...]     default: 300 s each, every target
#
# Seeds: tests/fuzz/corpus/<target>/ (committed, read only; tests/fuzz/corpus/<name>/ and
# tests/fuzz/corpus_<name>/ are read too, <name> being the target without "fuzz_"). New inputs go to
# tests/fuzz/corpus-run/<target>/ and crashes to tests/fuzz/corpus-run/artifacts/ (gitignored);
# copy a crash into tests/fuzz/corpus/<target>/ once it is fixed. A dictionary
# tests/fuzz/<target>.dict is used when present. Exits non-zero if any target found a bug.
#
# Inputs go up to NM_FUZZ_MAX_LEN bytes (default 1 MiB, libFuzzer's own default is 4 KiB),
# and each run is seeded with long and wide records made by scripts/fuzz-seeds.py
# (tests/fuzz/corpus-run/seeds/<target>/): cells past 4 KiB and 64 KiB, lines of
# thousands of delimiters, objects of thousands of members. A parser's bugs live where its
# buffers grow, and a 4 KiB cap never gets there (it missed the CSV reader's heap
# overflow on a line of 200,000 commas). NM_FUZZ_LEN_CONTROL (default 10) is libFuzzer's
# -len_control: lower tries long inputs sooner.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${NM_FUZZ_BUILD_DIR:-build-fuzz}

build=1
if [ "${1:-}" = "--no-build" ]; then
	build=0
	shift
fi
seconds=300
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
	seconds=$1
	shift
fi

if [ "$build" = 1 ]; then
	scripts/deps.sh clang libclang-rt-dev
	CC=clang cmake -S . -B "$BUILD" -DNM_FUZZ=ON >/dev/null
	cmake --build "$BUILD" -j"$(nproc)"
fi

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
	for f in "$BUILD"/fuzz_*; do
		[ -f "$f" ] && [ -x "$f" ] && targets+=("$(basename "$f")")
	done
fi
if [ "${#targets[@]}" -eq 0 ]; then
	echo "fuzz: no fuzz_* targets in $BUILD"
	exit 0
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

MAX_LEN=${NM_FUZZ_MAX_LEN:-1048576}
LEN_CONTROL=${NM_FUZZ_LEN_CONTROL:-10}
failed=()
mkdir -p tests/fuzz/corpus-run/artifacts
python3 scripts/fuzz-seeds.py tests/fuzz/corpus-run/seeds
for t in "${targets[@]}"; do
	bin="$BUILD/$t"
	[ -x "$bin" ] || { echo "fuzz: $bin is missing"; failed+=("$t"); continue; }
	work="tests/fuzz/corpus-run/$t"
	mkdir -p "$work"
	args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		-max_len="$MAX_LEN" -len_control="$LEN_CONTROL"
		-artifact_prefix="tests/fuzz/corpus-run/artifacts/$t-")
	[ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
	dirs=("$work")
	name=${t#fuzz_}
	for seeds in "tests/fuzz/corpus/$t" "tests/fuzz/corpus/$name" "tests/fuzz/corpus_$name" \
		"tests/fuzz/corpus-run/seeds/$t"; do
		[ -d "$seeds" ] && dirs+=("$seeds")
	done
	log="tests/fuzz/corpus-run/$t.log"
	echo "fuzz: $t for ${seconds}s, inputs up to $MAX_LEN bytes (corpus: ${dirs[*]})"
	if "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
		grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$log" | sed "s/^/fuzz: $t /" || true
	else
		echo "fuzz: $t FAILED; last lines of $log:"
		tail -n 60 "$log"
		ls -1 tests/fuzz/corpus-run/artifacts/"$t"-* 2>/dev/null | sed 's/^/fuzz: artifact /' || true
		failed+=("$t")
	fi
done

if [ "${#failed[@]}" -ne 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ok"
