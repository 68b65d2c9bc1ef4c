"""The reference figure of `verzuim bench evaluate` (docs/benchmarks.md): how long DuckDB takes to
read a generated school year's pupils.csv and registrations.csv into tables, on the same machine
in the same run. Prints the seconds. Usage: python3 duckdb_read.py DIR (needs `pip install duckdb`).
"""

import sys
import time

import duckdb

folder = sys.argv[1].replace("'", "''")
con = duckdb.connect()
# A long read (a million pupils on a busy machine) would print a progress bar to stdout.
con.execute("SET enable_progress_bar = false")
start = time.perf_counter()
con.execute(f"CREATE TABLE pupils AS SELECT * FROM read_csv('{folder}/pupils.csv')")
con.execute(f"CREATE TABLE registrations AS SELECT * FROM read_csv('{folder}/registrations.csv')")
elapsed = time.perf_counter() - start
rows = con.execute("SELECT (SELECT count(*) FROM pupils) + (SELECT count(*) FROM registrations)").fetchone()[0]
print(f"{elapsed:.4f} {rows}")
