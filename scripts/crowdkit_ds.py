"""Times crowd-kit's Dawid-Skene on a credence votes file, load and fit separately.

Usage: crowdkit_ds.py VOTES.csv N_ITER [TOL]

VOTES.csv is a credence claims file (columns source, story_id, stance, among others); every row is one vote:
worker = source, task = story_id, label = stance. `scripts/bench_crowdkit.sh` writes it (original reports
only, one per outlet and story), and credence scores the very same file.

TOL defaults to crowd-kit's own 1e-5: crowd-kit stops as soon as its per-vote ELBO gains less than TOL,
which includes the ELBO falling. TOL=-inf runs exactly N_ITER iterations (for the time per iteration).

Prints one line of key=value pairs: rows, tasks, workers, load_s (pandas read and renaming), fit_s
(DawidSkene.fit alone), iterations (len(loss_history_)), iter_s (the iterations' E-steps, M-steps and
ELBOs, timed by wrapping those methods), s_per_iter (iter_s / iterations), setup_s (fit_s - iter_s: the
majority-vote start, the first M-step and the final labels), asserts (tasks labelled asserts), rss_load_mb
(peak RSS up to the end of the load), rss_peak_mb (peak RSS of the process at the end) and elbo (crowd-kit's
per-vote ELBO after each iteration, its loss_history_).
"""
import inspect
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

# Each call of the E-step, M-step and ELBO is timed, so that an iteration's cost (E-step, M-step, ELBO)
# is told apart from the set-up (majority vote and the first M-step) and the final labelling.
calls = {"_e_step": [], "_m_step": [], "_evidence_lower_bound": []}


def timed(name):
    inner = getattr(DawidSkene, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            calls[name].append(time.perf_counter() - start)

    return wrapper


for name in calls:
    wrapped = timed(name)
    # _m_step is a staticmethod: keep it one, or the instance would be passed as its first argument.
    if isinstance(inspect.getattr_static(DawidSkene, name), staticmethod):
        wrapped = staticmethod(wrapped)
    setattr(DawidSkene, name, wrapped)

t0 = time.perf_counter()
model = DawidSkene(n_iter=n_iter, tol=tol).fit(votes)
t_fit = time.perf_counter() - t0
labels = model.labels_
iterations = len(model.loss_history_)
# The first M-step belongs to the set-up; every iteration runs one E-step, one M-step and one ELBO.
t_iter = sum(calls["_e_step"]) + sum(calls["_m_step"][1:]) + sum(calls["_evidence_lower_bound"])
elbo = ",".join(f"{x:.6g}" for x in model.loss_history_)
print(
    f"rows={len(votes)} tasks={len(labels)} workers={votes['worker'].nunique()} import_s={t_import:.3f} "
    f"load_s={t_load:.3f} fit_s={t_fit:.3f} iterations={iterations} iter_s={t_iter:.3f} "
    f"s_per_iter={t_iter / max(iterations, 1):.3f} setup_s={t_fit - t_iter:.3f} "
    f"asserts={(labels == 'asserts').sum()} rss_load_mb={rss_load:.0f} rss_peak_mb={peak_mb():.0f} elbo={elbo}"
)
