"""Dawid-Skene fit with crowd-kit on credence's claims: worker = source, task = story_id, label = stance.

Usage: dawid_skene.py CLAIMS.csv N_ITER [TOL]

Loads the three columns with pandas (empty stance = asserts) and fits
crowdkit.aggregation.DawidSkene(n_iter=N_ITER, tol=TOL); TOL defaults to crowd-kit's 1e-5, and crowd-kit
stops as soon as its per-vote ELBO gains less than TOL (so possibly long before N_ITER; TOL=-inf forces
N_ITER iterations). Prints the tasks, how many were labelled 'asserts' and the EM iterations run.
This is the classical latent-truth model on the same votes, without responses, resolutions or
attribution: a reference point for the cost of an EM fit in Python, not equal work.
"""
import sys

import pandas as pd
from crowdkit.aggregation import DawidSkene

claims, n_iter = sys.argv[1], int(sys.argv[2])
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
votes = pd.read_csv(claims, usecols=["source", "story_id", "stance"], dtype=str, keep_default_na=False)
votes = votes.rename(columns={"source": "worker", "story_id": "task", "stance": "label"})
votes["label"] = votes["label"].replace("", "asserts")
model = DawidSkene(n_iter=n_iter, tol=tol).fit(votes)
labels = model.labels_
print(f"{len(labels)} tasks, {(labels == 'asserts').sum()} labelled asserts, {len(model.loss_history_)} EM iterations")
