"""How far can LIAR's six-way verdicts be predicted from metadata alone, without the statement's text?
A naive-Bayes combination of the speaker's training ratings (shrunk to the party's, as `credence eval`'s
rating prediction), and the ratings seen with the statement's context, subjects and speaker's job on the
training split (each shrunk to the overall mix), for three sets of shrinkage strengths; prints six-way
accuracy on the validation and test splits. The credit-history columns are never read.

    python3 scripts/diagnostics/liar_metadata.py [LIAR_DIR]   # default /work/shared/datasets/liar
"""
import collections
import csv
import math
import sys

D = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/datasets/liar'
LABELS = ['pants-fire', 'false', 'barely-true', 'half-true', 'mostly-true', 'true']


def rows(path):
    return [r for r in csv.reader(open(path), delimiter='\t', quoting=csv.QUOTE_NONE) if len(r) >= 14]


train, valid, test = (rows(f'{D}/{s}.tsv') for s in ('train', 'valid', 'test'))
overall = collections.Counter(r[1] for r in train)
prior = {l: overall[l] / len(train) for l in LABELS}


def table(keys):
    t = collections.defaultdict(collections.Counter)
    for r in train:
        for k in keys(r):
            t[k][r[1]] += 1
    return t


def shrunk(t, k, base, s):
    c = t.get(k, collections.Counter())
    n = sum(c.values())
    return {l: (c[l] + s * base[l]) / (n + s) for l in LABELS}


speaker = table(lambda r: [r[4]])
party = table(lambda r: [r[7]])
context = table(lambda r: [r[13].lower().strip()])
subject = table(lambda r: r[3].split(','))
job = table(lambda r: [r[5]])


def predict(r, use, s):
    by_party = shrunk(party, r[7], prior, 10)
    lp = {l: math.log(p) for l, p in shrunk(speaker, r[4], by_party, s[0]).items()}
    if 'context' in use:
        c = shrunk(context, r[13].lower().strip(), prior, s[1])
        for l in LABELS:
            lp[l] += math.log(c[l] / prior[l])
    if 'subject' in use:
        subjects = r[3].split(',')
        for k in subjects:
            c = shrunk(subject, k, prior, s[2])
            for l in LABELS:
                lp[l] += math.log(c[l] / prior[l]) / len(subjects)
    if 'job' in use:
        c = shrunk(job, r[5], prior, s[3])
        for l in LABELS:
            lp[l] += math.log(c[l] / prior[l])
    return max(LABELS, key=lambda l: lp[l])


for use in [(), ('context',), ('subject',), ('context', 'subject'), ('context', 'subject', 'job')]:
    for s in [(1, 5, 5, 5), (2, 10, 10, 10), (4, 20, 20, 20)]:
        acc = [sum(predict(r, use, s) == r[1] for r in d) / len(d) for d in (valid, test)]
        print(f"speaker{''.join(' + ' + u for u in use):<32} strengths {s}: valid {acc[0]:.4f}, test {acc[1]:.4f}")
