"""Reads a Parquet file with DuckDB or polars and writes it back as CSV, for tests/parquet.rs.

Usage: python3 tests/parquet_read.py (duckdb|polars) FILE.parquet OUT.csv

OUT.csv gets the columns in the file's order, floats with six decimals (the one float format of credence's
CSV outputs), integers and text as they are. Standard output gets one line: the column types as the reader
named them, comma-separated.
"""

import csv
import sys


def read(reader, path):
    if reader == "duckdb":
        import duckdb

        rel = duckdb.connect().read_parquet(path)
        return rel.columns, [str(t) for t in rel.types], rel.fetchall()
    if reader == "polars":
        import polars as pl

        df = pl.read_parquet(path)
        return df.columns, [str(t) for t in df.dtypes], df.rows()
    raise SystemExit(f"unknown reader {reader}")


def cell(value):
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


def main():
    reader, path, out = sys.argv[1:4]
    names, types, rows = read(reader, path)
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        for row in rows:
            w.writerow([cell(v) for v in row])
    print(",".join(types))


if __name__ == "__main__":
    main()
