#!/usr/bin/env bash
# Build times of the workspace, as README's "Development" section reports them.
#
#   bash bench/build_times.sh [REV]      (default: HEAD of this checkout)
#
# Clones REV into a temporary directory (a fresh clone: nothing built), then measures with
# `cargo build --release`:
#   1. the cold build (crates already downloaded into $CARGO_HOME; --timings writes
#      target/cargo-timings/cargo-timing.html, which shows what dominates),
#   2. the rebuild after changing one resolver's body (crates/api/src/cities.rs),
#   3. the rebuild after changing the solver (crates/solver/src/lib.rs, `solve`),
#   4. the rebuild after changing a script helper (crates/scripting/src/api.rs, `Ages::gap`),
# and `cargo test` (debug: the build, then the tests on SQLite). Each change is a real change
# of code (a black_box call), not only a new modification time. Run it with nothing else
# building: the figures are wall-clock seconds on this machine.
set -euo pipefail
rev=${1:-HEAD}
src=$(git rev-parse --show-toplevel)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
git clone -q "$src" "$dir/w"
cd "$dir/w"
git checkout -q "$rev"
export CARGO_TARGET_DIR="$dir/w/target"

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
# Inserts a statement after the first line matching $2 in file $1.
change() { sed -i "0,/$2/s//&\n        std::hint::black_box(0u8);/" "$1"; git diff --quiet -- "$1" && { echo "no change in $1" >&2; exit 1; }; true; }

echo "revision $(git rev-parse --short HEAD), $(nproc) cores"
echo "cold release build: $(secs cargo build --release --timings) s"
# Before the crate split (revision 71abfa3 and older) the same files were under src/.
resolver=crates/api/src/cities.rs; [ -f "$resolver" ] || resolver=src/graphql/cities.rs
change "$resolver" 'async fn cities(&self, ctx: &Context<.*>) -> async_graphql::Result<Vec<City>> {'
echo "release rebuild after a resolver change: $(secs cargo build --release) s"
change crates/solver/src/lib.rs ') -> Result<Assignment, SolveError> {'
echo "release rebuild after a solver change: $(secs cargo build --release) s"
change crates/scripting/src/api.rs 'pub(crate) fn gap(&self, age: INT) -> INT {'
echo "release rebuild after a script helper change: $(secs cargo build --release) s"
git checkout -q -- .
echo "cargo test (debug build and the tests, SQLite): $(secs cargo test) s"
echo "cargo test again (tests only): $(secs cargo test) s"
cp target/cargo-timings/cargo-timing.html /tmp/cargo-timing-$(git rev-parse --short HEAD).html 2>/dev/null || true
