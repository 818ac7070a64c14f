#!/usr/bin/env bash
# Check on real engines that the SQL of `slicelab sql --dialect duckdb|spark` returns the same
# per-slice confusion counts as slicelab's own in-memory `slicelab eval`.
#
# For each table (a generated table with every slice construct and missing values in every column,
# the figure1 demo, and census when $SHARED/data has it) and each dialect: print the query, run it
# (DuckDB through its Python module, Spark through the `spark-sql -f` CLI, each engine typing the
# CSV itself: empty fields are NULL; and Spark once more holding every column as text in its legacy
# non-ANSI mode, Spark 3's default), feed the result to `slicelab eval --counts`, and compare every
# slice's confusion matrix with `slicelab eval --data`.
#
#   SLICELAB=target/release/slicelab SHARED=/work/shared scripts/check-dialects.sh
#
# Env: SLICELAB (binary, default target/release/slicelab), SHARED (default ../shared),
#      WORK (scratch folder, default a new temp dir), VENV (Python venv with duckdb and pyspark,
#      created when missing), JAVA_HOME (found from `java` when unset), CENSUS_ROWS (default all).
# Exit status: 0 when every slice of every table matches on both engines, 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SLICELAB=$(realpath "${SLICELAB:-$ROOT/target/release/slicelab}")
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-$(mktemp -d -t slicelab-dialects.XXXXXX)}
VENV=${VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/slicelab-check-dialects/venv}
PIP_PACKAGES=${PIP_PACKAGES:-"duckdb==2.0.1 pyspark==4.3.0"}
CENSUS_ROWS=${CENSUS_ROWS:-}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")

[ -x "$SLICELAB" ] || { echo "no slicelab binary at $SLICELAB (set SLICELAB)" >&2; exit 2; }

# --- engines -------------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV with $PIP_PACKAGES"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q $PIP_PACKAGES
fi
PY=$VENV/bin/python
export SPARK_HOME=$("$PY" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
echo "slicelab: $("$SLICELAB" --version)"
echo "duckdb $("$PY" -c 'import duckdb; print(duckdb.__version__)'), spark $("$PY" -c 'import pyspark; print(pyspark.__version__)') (java: $JAVA_HOME)"
echo "work folder: $WORK"

# The tiny helpers, written once into $WORK.
cat > "$WORK/run_duckdb.py" <<'EOF'
"""run_duckdb.py QUERY.sql DATA.csv OUT.csv: the query reads view t = DuckDB's own reading of the CSV."""
import csv, sys, duckdb
query, data, out = sys.argv[1:4]
con = duckdb.connect()
con.execute("SET threads = 1")
con.execute(f"CREATE VIEW t AS SELECT * FROM read_csv('{data}', header = true)")
print("duckdb column types:", con.execute("SELECT column_name, column_type FROM (DESCRIBE t)").fetchall(),
      file=sys.stderr)
try:
    rows = con.execute(open(query, encoding="utf-8").read()).fetchall()
except duckdb.Error as e:
    sys.exit(f"{type(e).__name__}: {e}".replace("\n", " "))
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["slice", "label", "pred", "count"])
    w.writerows([["" if v is None else v for v in r] for r in rows])
EOF

cat > "$WORK/spark_tsv_to_csv.py" <<'EOF'
"""spark_tsv_to_csv.py OUT.tsv > counts.csv: spark-sql prints rows tab-separated without a header
(after DESCRIBE's 3-column rows); keep 4-column rows whose last field is a count; NULL -> empty."""
import csv, sys
w = csv.writer(sys.stdout)
w.writerow(["slice", "label", "pred", "count"])
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if len(f) == 4 and f[3].strip().lstrip("-").isdigit():
        w.writerow(["" if v == "NULL" else v for v in f])
EOF

cat > "$WORK/compare.py" <<'EOF'
"""compare.py MEMORY.json ENGINE.json LABEL: compare each slice's confusion matrix (by class name)
of two `slicelab eval --json` reports; print mismatches and a summary line; exit 1 on a mismatch.
Rows of kind 'truth' (ground-truth slice_* columns the in-memory eval adds) are not in the SQL."""
import json, sys
mem_path, eng_path, label = sys.argv[1:4]

def cells(path):
    report = json.load(open(path))
    cl = report["classes"]; k = len(cl)
    return {row["name"]: {(cl[i // k], cl[i % k]): c for i, c in enumerate(row.get("confusion") or []) if c}
            for row in report["rows"] if row["kind"] != "truth"}

mem, eng = cells(mem_path), cells(eng_path)
ok = 0
for name, m in mem.items():
    e = eng.get(name)
    if e == m:
        ok += 1
        continue
    diff = {f"{t}->{p}": f"{(e or {}).get((t, p), 0)} vs {m.get((t, p), 0)}"
            for t, p in sorted(set(m) | set(e or {})) if (e or {}).get((t, p), 0) != m.get((t, p), 0)}
    print(f"  MISMATCH {label} '{name}': engine n={sum(e.values()) if e is not None else 'missing'} "
          f"vs memory n={sum(m.values())}; cells true->pred engine vs memory: {diff}")
extra = sorted(eng.keys() - mem.keys())
for name in extra:
    print(f"  EXTRA {label} '{name}' only in the engine's result")
print(f"{label}: {ok}/{len(mem)} slices match")
sys.exit(0 if ok == len(mem) and not extra else 1)
EOF

# --- tables --------------------------------------------------------------------------------
# 1. Every construct, with a missing value in every column: the Rust tests' own fixture.
mkdir -p "$WORK/generated"
cp "$ROOT/tests/data/sql_constructs.csv" "$WORK/generated/data.csv"
cp "$ROOT/tests/data/sql_constructs.toml" "$WORK/generated/slices.toml"

# 2. The figure1 demo's test split with a prediction column (a linear rule) and the 15-slice grid.
mkdir -p "$WORK/figure1"
"$SLICELAB" demo figure1 --out "$WORK/figure1/demo" > /dev/null
"$PY" - "$WORK/figure1" <<'EOF'
import csv, sys
d = sys.argv[1]
with open(f"{d}/demo/test.csv") as src, open(f"{d}/data.csv", "w", newline="") as dst:
    r, w = csv.reader(src), csv.writer(dst)
    head = next(r); w.writerow(head + ["pred"])
    i1, i2 = head.index("x1"), head.index("x2")
    for row in r:
        w.writerow(row + [int(float(row[i1]) + float(row[i2]) > 0)])
EOF
cp "$ROOT/assets/slices/figure1_grid.toml" "$WORK/figure1/slices.toml"

# 3. Census (test split) with a rule-based prediction, when the shared data is there.
CENSUS_CSV=$SHARED/data/census_income_test.csv
if [ -f "$CENSUS_CSV" ]; then
  mkdir -p "$WORK/census"
  "$PY" - "$CENSUS_CSV" "$WORK/census/data.csv" "$CENSUS_ROWS" <<'EOF'
import csv, sys
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3] or 0)
degree = ("Bachelors", "Masters", "Prof school", "Doctorate")
with open(src, newline="") as f, open(dst, "w", newline="") as g:
    r = csv.DictReader(f); w = csv.DictWriter(g, r.fieldnames + ["pred"])
    w.writeheader()
    for i, row in enumerate(r):
        if limit and i >= limit:
            break
        rich = float(row["capital_gains"]) > 5000 or float(row["dividends_from_stocks"]) > 1000
        worker = row["education"].startswith(degree) and float(row["weeks_worked_in_year"]) >= 50
        row["pred"] = int(rich or (worker and int(row["age"]) >= 30))
        w.writerow(row)
EOF
  cp "$ROOT/assets/slices/census.toml" "$WORK/census/slices.toml"
  TABLES="generated:y:p figure1:y:pred census:income:pred"
else
  echo "census: skipped, no $CENSUS_CSV (set SHARED)"
  TABLES="generated:y:p figure1:y:pred"
fi

# --- check ---------------------------------------------------------------------------------
failed=0
now() { date +%s.%N; }
secs() { "$PY" -c "print(f'{$2 - $1:.1f}')"; }

for entry in $TABLES; do
  IFS=: read -r table label pred <<< "$entry"
  dir=$WORK/$table
  "$SLICELAB" eval --data "$dir/data.csv" --label "$label" --pred "$pred" --slices "$dir/slices.toml" \
    --json "$dir/memory.json" > "$dir/memory.txt" 2> "$dir/memory.err" ||
    { echo "$table: in-memory eval failed: $(tail -1 "$dir/memory.err")"; failed=1; continue; }
  # spark-text: Spark holding every column as text, in its legacy (non-ANSI) mode, Spark 3's default.
  for dialect in duckdb spark spark-text; do
    base=$dir/$dialect
    "$SLICELAB" sql --slices "$dir/slices.toml" --label "$label" --pred "$pred" --table t \
      --dialect "${dialect%-text}" --data "$dir/data.csv" --out "$base.sql" 2> "$base.sql.err" ||
      { echo "$dialect $table: slicelab sql failed: $(tail -1 "$base.sql.err")"; failed=1; continue; }
    start=$(now)
    if [ "$dialect" = duckdb ]; then
      nice -n 10 "$PY" "$WORK/run_duckdb.py" "$base.sql" "$dir/data.csv" "$base.counts.csv" 2> "$base.engine.err" ||
        { echo "$dialect $table: ENGINE ERROR: $(tail -1 "$base.engine.err" | cut -c1-400)"; failed=1; continue; }
    else
      infer=true ansi=true
      [ "$dialect" = spark-text ] && infer=false ansi=false
      { echo "CREATE TEMPORARY VIEW t USING csv OPTIONS (path '$dir/data.csv', header 'true', inferSchema '$infer');"
        echo "DESCRIBE t;"
        cat "$base.sql"; echo ";"; } > "$base.spark.sql"
      mkdir -p "$WORK/spark-cwd"   # spark-sql leaves metastore_db/ and spark-warehouse/ in its cwd
      (cd "$WORK/spark-cwd" && nice -n 10 "$SPARK_HOME/bin/spark-sql" --master 'local[1]' --driver-memory 1g \
        --conf spark.ui.enabled=false --conf spark.sql.session.timeZone=UTC --conf spark.sql.ansi.enabled=$ansi \
        -f "$base.spark.sql" > "$base.out.tsv" 2> "$base.engine.err") ||
        { echo "$dialect $table: ENGINE ERROR: $(grep -m1 -E '\[[A-Z_]+\]|Exception:' "$base.engine.err" | cut -c1-400)"; failed=1; continue; }
      "$PY" "$WORK/spark_tsv_to_csv.py" "$base.out.tsv" > "$base.counts.csv"
    fi
    took=$(secs "$start" "$(now)")
    "$SLICELAB" eval --counts "$base.counts.csv" --json "$base.json" > "$base.txt" 2> "$base.eval.err" ||
      { echo "$dialect $table: eval --counts failed: $(tail -1 "$base.eval.err")"; failed=1; continue; }
    "$PY" "$WORK/compare.py" "$dir/memory.json" "$base.json" "$dialect $table" | sed "\$s/\$/ (engine ${took}s)/" ||
      failed=1
  done
done
exit $failed
