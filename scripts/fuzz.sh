#!/usr/bin/env bash
# Run every libFuzzer target (build-fuzz/fuzz_*) for a while.
#
#   scripts/fuzz.sh [--no-build] [SECONDS] [TARGET...]     default: 300 s each, every target
#
# Seeds: tests/fuzz/corpus/<target>/ (committed, read only; tests/fuzz/corpus/<name>/ and
# tests/fuzz/corpus_<name>/ are read too, <name> being the target without "fuzz_"), plus big
# seeds that scripts/fuzz-seeds.py writes into tests/fuzz/corpus-run/seeds/<target>/ at each run
# (long records, wide records of thousands of delimiters or members, cells > 4 KiB and > 64 KiB).
# New inputs go to tests/fuzz/corpus-run/<target>/ and crashes to tests/fuzz/corpus-run/artifacts/
# (gitignored); copy a crash into tests/fuzz/corpus/<target>/ once it is fixed. A dictionary
# tests/fuzz/<target>.dict is used when present. Exits non-zero if any target found a bug.
#
# Input sizes (issue 10): libFuzzer's default -max_len is the largest seed, at least 4,096 bytes,
# and its -len_control grows the length limit only slowly. That kept every input below the CSV
# reader's first buffer, and a heap overflow past it went unseen. So every target runs with
#   NM_FUZZ_MAX_LEN     -max_len in bytes (default 1048576 = 1 MiB; the importer's record limit)
#   NM_FUZZ_LEN_CONTROL -len_control (default 20; libFuzzer's is 100, lower grows the length
#                       limit sooner; 0 tries 1 MiB inputs from the start but then runs ~100x
#                       fewer inputs a second, and found the CSV overflow later, not sooner)
# Long inputs are reached anyway: the big seeds keep their size under mutation, and the CSV,
# NDJSON and column-map targets can repeat a short body up to 16,384 times (tests/fuzz/expand.h).
# scripts/test.sh's bounded run (scripts/fuzz.sh --no-build SECONDS) gets the same defaults.
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

max_len=${NM_FUZZ_MAX_LEN:-1048576}
len_control=${NM_FUZZ_LEN_CONTROL:-20}
[[ "$max_len" =~ ^[0-9]+$ ]] || { echo "fuzz: NM_FUZZ_MAX_LEN must be a number of bytes"; exit 2; }
[[ "$len_control" =~ ^[0-9]+$ ]] || { echo "fuzz: NM_FUZZ_LEN_CONTROL must be a number"; exit 2; }

# Big seeds, generated rather than committed (deterministic; rewritten only when they change).
seed_root=tests/fuzz/corpus-run/seeds
if command -v python3 >/dev/null 2>&1; then
	python3 scripts/fuzz-seeds.py "$seed_root" "${targets[@]}"
else
	echo "fuzz: python3 not found, running without the generated big seeds"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
mkdir -p tests/fuzz/corpus-run/artifacts
for t in "${targets[@]}"; do
	bin="$BUILD/$t"
	[ -x "$bin" ] || { echo "fuzz: $bin is missing"; failed+=("$t"); continue; }
	work="tests/fuzz/corpus-run/$t"
	mkdir -p "$work"
	args=(-max_total_time="$seconds" -max_len="$max_len" -len_control="$len_control"
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="tests/fuzz/corpus-run/artifacts/$t-")
	[ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
	dirs=("$work")
	name=${t#fuzz_}
	for seeds in "tests/fuzz/corpus/$t" "tests/fuzz/corpus/$name" "tests/fuzz/corpus_$name" \
		"$seed_root/$t"; do
		[ -d "$seeds" ] && dirs+=("$seeds")
	done
	log="tests/fuzz/corpus-run/$t.log"
	echo "fuzz: $t for ${seconds}s, -max_len=$max_len -len_control=$len_control (corpus: ${dirs[*]})"
	if "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
		grep -E '^(stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb|Done )' "$log" | sed "s/^/fuzz: $t /" || true
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
