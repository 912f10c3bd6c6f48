"""Naive per-source agreement with official responses, in polars (lazy: scan_csv, join, group_by).

Usage: naive_polars.py CLAIMS.csv RESPONSES.csv OUT.csv

The same computation as naive_duckdb.py (see there): per source, claims, answered claim x response pairs
(verdict not no_comment) and the mean agreement (confirmed=1, partial=0.5, denied=0; 1-x for stance
'denies'), with the responses summed per story before the join. The schemas are given (all strings, no
inference); polars uses all cores by default.
"""
import sys

import polars as pl

claims, responses, out = sys.argv[1:4]
S = pl.String
CLAIMS = {c: S for c in ("claim_id", "source", "published_at", "story_id", "stance", "attributed_to", "topic")}
RESPONSES = {c: S for c in ("response_id", "story_id", "responder", "responded_at", "verdict")}

score = pl.col("verdict").replace_strict({"confirmed": 1.0, "partial": 0.5, "denied": 0.0}, default=None)
per_story = (
    pl.scan_csv(responses, schema=RESPONSES)
    .filter(pl.col("verdict").is_in(["confirmed", "partial", "denied"]))
    .group_by("story_id")
    .agg(n=pl.len(), s=score.sum())
)
agreeing = pl.when(pl.col("stance") == "denies").then(pl.col("n") - pl.col("s")).otherwise(pl.col("s"))
(
    pl.scan_csv(claims, schema=CLAIMS)
    .select("source", "story_id", "stance")
    .join(per_story, on="story_id", how="left")
    .group_by("source")
    .agg(claims=pl.len(), answered=pl.col("n").sum(), num=agreeing.sum())
    .with_columns(agreement=pl.when(pl.col("answered") > 0).then(pl.col("num") / pl.col("answered")))
    .select("source", "claims", "answered", "agreement")
    .sort("source")
    .collect()
    .write_csv(out)
)
