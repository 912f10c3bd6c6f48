"""Turns hyperfine JSON exports and peak-RSS measurements into the markdown table of benches/compare.sh.

Usage: summarize.py SIZE ROWS TOOLS.tsv OUT.md HYPERFINE.json [HYPERFINE.json ...]

TOOLS.tsv has one line per tool: name, peak RSS in KiB (from /usr/bin/time -v), command. ROWS is the
number of claim rows (rows/s = ROWS / median). Ratios are each tool's median over credence's (above 1:
credence is faster), and credence's median over the plain read's. Tools named import-* (a bare Python
import: the start-up share of the Python tools' time) get no rows/s. Prints the markdown, writes OUT.md.
"""
import json
import sys

size, rows, tools_tsv, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
results = {r["command"]: r for path in sys.argv[5:] for r in json.load(open(path))["results"]}
tools = [line.rstrip("\n").split("\t", 2) for line in open(tools_tsv) if line.strip()]
cred = results.get("credence", {}).get("median")

lines = [f"### N = {size} ({rows} claim rows)", "",
         "| tool | runs | median s | min s | max s | CPU s (user+sys) | claims rows/s | peak RSS MB "
         "| median / credence |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
for name, rss_kib, _ in tools:
    r = results.get(name)
    if r is None:
        continue
    ratio = f"{r['median'] / cred:.2f}" if cred else "-"
    speed = "-" if name.startswith("import-") else f"{rows / r['median'] / 1e6:.2f} M"
    rss = f"{int(rss_kib) / 1024:.0f}" if rss_kib.isdigit() else "-"
    lines.append(f"| {name} | {len(r['times'])} | {r['median']:.3f} | {r['min']:.3f} | {r['max']:.3f} | "
                 f"{r['user'] + r['system']:.2f} | {speed} | {rss} | {ratio} |")
plain = results.get("plain-read", {}).get("median")
if cred and plain:
    lines += ["", f"credence / plain-read: {cred / plain:.2f} (credence's whole job takes {cred / plain:.2f}x "
                  f"the single-threaded csv-crate read of the same three files)"]
lines += ["", "Commands:", ""] + [f"- {name}: `{cmd}`" for name, _, cmd in tools if name in results]
text = "\n".join(lines) + "\n"
print(text)
with open(out, "w") as f:
    f.write(text)
