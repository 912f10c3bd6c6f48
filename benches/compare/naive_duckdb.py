"""Naive per-source agreement with official responses, in DuckDB.

Usage: naive_duckdb.py CLAIMS.csv RESPONSES.csv OUT.csv

For each source: claims (its claim rows), answered (claim x response pairs on the same story_id whose
verdict is not no_comment) and agreement = mean over those pairs of confirmed=1, partial=0.5, denied=0,
taken as 1-x when the claim's stance is 'denies' (empty stance = asserts); empty when nothing is answered.
The responses are summed per story first (n answered, s = sum of scores) and joined to the claims: the
same mean as over the pairs (a 'denies' claim contributes n - s), without materialising the pairs.
Columns are given with their types (all VARCHAR, no sniffing); DuckDB uses all cores by default.
"""
import sys

import duckdb

claims, responses, out = sys.argv[1:4]
CLAIMS = "{'claim_id': 'VARCHAR', 'source': 'VARCHAR', 'published_at': 'VARCHAR', 'story_id': 'VARCHAR', " \
         "'stance': 'VARCHAR', 'attributed_to': 'VARCHAR', 'topic': 'VARCHAR'}"
RESPONSES = "{'response_id': 'VARCHAR', 'story_id': 'VARCHAR', 'responder': 'VARCHAR', " \
            "'responded_at': 'VARCHAR', 'verdict': 'VARCHAR'}"


def read(path: str, columns: str) -> str:
    """A read_csv() call with explicit columns (the path is quoted as an SQL string)."""
    quoted = "'" + path.replace("'", "''") + "'"
    return f"read_csv({quoted}, header = true, delim = ',', quote = '\"', auto_detect = false, columns = {columns})"


duckdb.sql(f"""
COPY (
  WITH r AS (
    SELECT story_id, count(*) AS n,
           sum(CASE verdict WHEN 'confirmed' THEN 1.0 WHEN 'partial' THEN 0.5 ELSE 0.0 END) AS s
    FROM {read(responses, RESPONSES)}
    WHERE verdict IN ('confirmed', 'partial', 'denied')
    GROUP BY story_id
  )
  SELECT c.source,
         count(*) AS claims,
         coalesce(sum(r.n), 0) AS answered,
         sum(CASE WHEN c.stance = 'denies' THEN r.n - r.s ELSE r.s END) / nullif(sum(r.n), 0) AS agreement
  FROM {read(claims, CLAIMS)} AS c LEFT JOIN r USING (story_id)
  GROUP BY c.source
  ORDER BY c.source
) TO '{out.replace("'", "''")}' (HEADER, DELIMITER ',')
""")
