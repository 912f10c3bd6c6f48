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
