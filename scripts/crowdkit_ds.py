"""Times crowd-kit's Dawid-Skene on a credence votes file, load and fit separately.

Usage: crowdkit_ds.py VOTES.csv N_ITER [TOL]

VOTES.csv is a credence claims file (columns source, story_id, stance, among others); every row is one vote:
worker = source, task = story_id, label = stance. `scripts/bench_crowdkit.sh` writes it (original reports
only, one per outlet and story), and credence scores the very same file.

TOL defaults to crowd-kit's own 1e-5: crowd-kit stops as soon as its per-vote ELBO gains less than TOL,
which includes the ELBO falling. TOL=-inf runs exactly N_ITER iterations (for the time per iteration).

Prints one line of key=value pairs: rows, tasks, workers, load_s (pandas read and renaming), fit_s
(DawidSkene.fit alone), iterations (len(loss_history_)), s_per_iter, asserts (tasks labelled asserts),
rss_load_mb (peak RSS up to the end of the load) and rss_peak_mb (peak RSS of the process at the end).
"""
import resource
import sys
import time

t0 = time.perf_counter()
import pandas as pd  # noqa: E402
from crowdkit.aggregation import DawidSkene  # noqa: E402

t_import = time.perf_counter() - t0


def peak_mb():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


votes_path, n_iter = sys.argv[1], int(sys.argv[2])
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5

t0 = time.perf_counter()
votes = pd.read_csv(votes_path, usecols=["source", "story_id", "stance"], dtype=str, keep_default_na=False)
votes = votes.rename(columns={"source": "worker", "story_id": "task", "stance": "label"})
votes["label"] = votes["label"].replace("", "asserts")
t_load = time.perf_counter() - t0
rss_load = peak_mb()

t0 = time.perf_counter()
model = DawidSkene(n_iter=n_iter, tol=tol).fit(votes)
t_fit = time.perf_counter() - t0
labels = model.labels_
iterations = len(model.loss_history_)
print(
    f"rows={len(votes)} tasks={len(labels)} workers={votes['worker'].nunique()} import_s={t_import:.3f} "
    f"load_s={t_load:.3f} fit_s={t_fit:.3f} iterations={iterations} s_per_iter={t_fit / max(iterations, 1):.3f} "
    f"asserts={(labels == 'asserts').sum()} rss_load_mb={rss_load:.0f} rss_peak_mb={peak_mb():.0f}"
)
