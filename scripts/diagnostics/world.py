"""A `credence gen` world with its hidden truth, as the session-8 copy-bias diagnostics read it."""
import collections
import csv


def load(d):
    """Returns (θ by outlet, truth by story, copy_of by claim, realised accuracy on originals by outlet,
    credited reports by story as (published_at, outlet, asserts, is_copy))."""
    th = {r['source']: float(r['accuracy']) for r in csv.DictReader(open(d + '/truth_sources.csv'))}
    truth = {r['story_id']: int(r['truth']) for r in csv.DictReader(open(d + '/truth_stories.csv'))}
    cp = {r['claim_id']: r['copy_of'] for r in csv.DictReader(open(d + '/truth_claims.csv'))}
    ok, tot = collections.Counter(), collections.Counter()
    st = collections.defaultdict(list)
    for r in csv.DictReader(open(d + '/claims.csv')):
        if not cp[r['claim_id']]:
            tot[r['source']] += 1
            ok[r['source']] += (r['stance'] == 'asserts') == bool(truth[r['story_id']])
        if r['attributed_to']:
            continue
        st[r['story_id']].append((r['published_at'], r['source'], r['stance'] == 'asserts', bool(cp[r['claim_id']])))
    real = {k: ok[k] / tot[k] for k in tot}
    return th, truth, cp, real, st


def answer_odds(d, truth):
    """Each story's log likelihood ratio from its official answers, with each responder's two rates at their
    values on the hidden truths (a partial answer half of each, as em read answers before session 8), and
    each story's number of informative answers; empty without responses.csv."""
    import math
    lr, answers = collections.defaultdict(float), collections.Counter()
    try:
        rows = list(csv.DictReader(open(d + '/responses.csv')))
    except FileNotFoundError:
        return lr, answers
    cnt = collections.Counter((r['responder'], truth[r['story_id']], r['verdict']) for r in rows)
    rates = {}
    for who in {r['responder'] for r in rows}:
        informative = lambda t: sum(cnt[(who, t, v)] for v in ('confirmed', 'denied', 'partial'))
        a = (cnt[(who, 1, 'confirmed')] + 0.5 * cnt[(who, 1, 'partial')]) / informative(1)
        dl = (cnt[(who, 0, 'denied')] + 0.5 * cnt[(who, 0, 'partial')]) / informative(0)
        rates[who] = (a, dl)
    for r in rows:
        x = {'confirmed': 1, 'denied': 0, 'partial': 0.5}.get(r['verdict'])
        if x is None:
            continue
        a, dl = rates[r['responder']]
        lr[r['story_id']] += x * math.log(a / (1 - dl)) + (1 - x) * math.log((1 - a) / dl)
        answers[r['story_id']] += 1
    return lr, answers
