"""Book authors scored with partial credit per author, the scale TruthFinder's published 0.95 is probably on.

    python3 scripts/diagnostics/book_partial_credit.py CONVERTED_DIR RUN_DIR...

CONVERTED_DIR holds `claims.csv` and `gold.csv` from `credence convert book`; each RUN_DIR is a
`credence score --value-kind list` run on that `claims.csv` (its `stories.csv` and `claims.csv`).

The score follows the description of the public re-implementation of the Book experiment
(github.com/joesingo/truthdiscovery, `truthdiscovery/examples/books/book_dataset.py`, commit 8c4d6c8),
written here from that description:

* a list is split at `;` and lowercased; a name with a comma is "last, first middle…", otherwise
  "first middle… last", and a single word is a last name;
* each author of the chosen list earns its best score against the gold authors: last name equal 3/d,
  first name equal 2/d (same initial 1/d), and, where the gold author has a middle name (d = 6, else d = 5),
  middle name equal 1/6 (same initial 1/12);
* a book's score is the sum over the chosen list's distinct authors divided by the longer list's length;
* only books whose gold list, parsed this way, equals some store's list count (the re-implementation
  skips the others, since no method can choose them).

credence chooses among normalised values (sets of name words, `src/value.rs`), which have no first or last
name. Each chosen value is scored as the commonest raw list among the claims that normalise to it (ties:
the first in sorted order). Prints, per run, the mean score over the counted books and their number."""
import collections
import csv
import os
import sys


def names(raw):
    """The distinct (first, last, middle) names of a raw author list, as described above."""
    out = set()
    for name in raw.lower().split(';'):
        name = name.strip()
        if not name:
            continue
        first = middle = ''
        if ',' in name:
            last, rest = (part.strip() for part in name.split(',', 1))
            words = rest.split()
            if words:
                first, middle = words[0], ' '.join(words[1:])
        elif ' ' in name:
            words = name.split()
            first, last, middle = words[0], words[-1], ' '.join(words[1:-1])
        else:
            last = name
        out.add((first, last, middle))
    return out


def score(chosen, gold):
    """Partial credit of a chosen raw list against the gold raw list."""
    claimed, real = names(chosen), names(gold)
    if not claimed or not real:
        return 0.0
    total = 0.0
    for first, last, middle in claimed:
        best = 0.0
        for g_first, g_last, g_middle in real:
            s = 0.0
            d = 6 if g_middle else 5
            if g_middle:
                if middle == g_middle:
                    s += 1 / 6
                elif middle and middle[0] == g_middle[0]:
                    s += 1 / 12
            if last == g_last:
                s += 3 / d
            if first == g_first:
                s += 2 / d
            elif first and g_first and first[0] == g_first[0]:
                s += 1 / d
            best = max(best, s)
        total += best
    return total / max(len(claimed), len(real))


def main():
    converted, runs = sys.argv[1], sys.argv[2:]
    raw = {}
    by_story = collections.defaultdict(list)
    for r in csv.DictReader(open(os.path.join(converted, 'claims.csv'))):
        raw[r['claim_id']] = r['value']
        by_story[r['story_id']].append(r['value'])
    gold = {r['story_id']: r['value'] for r in csv.DictReader(open(os.path.join(converted, 'gold.csv')))}
    countable = {s for s, g in gold.items() if any(names(v) == names(g) for v in by_story[s])}
    print(f'{len(countable)} of {len(gold)} gold books have their list, so parsed, claimed by some store')
    for run in runs:
        spellings = collections.defaultdict(collections.Counter)
        for r in csv.DictReader(open(os.path.join(run, 'claims.csv'))):
            if r['claim_id'] in raw:
                spellings[(r['story_id'], r['value'])][raw[r['claim_id']]] += 1
        chosen = {r['story_id']: r['value'] for r in csv.DictReader(open(os.path.join(run, 'stories.csv')))}
        total = 0.0
        for s in sorted(countable):
            options = spellings.get((s, chosen.get(s, '')))
            if options:
                top = max(options.values())
                total += score(min(v for v, n in options.items() if n == top), gold[s])
        print(f'{run}: partial-credit accuracy {total / len(countable):.4f} over {len(countable)} books')


if __name__ == '__main__':
    main()
