"""em's number model against vote on generated number stories with planted truth, over several seeds.

    python3 scripts/diagnostics/planted_numbers.py WORKDIR SEEDS [CREDENCE...]
    python3 scripts/diagnostics/planted_numbers.py gen CLAIMS_CSV STORIES OUTLETS SEED

The second form only writes a larger corpus of the same kind for timing (BENCHMARKS.md: 150,000 stories,
2,000 outlets, seed 7, 3 to 10 reports a story, 973,987 claims).

The world is the one `tests/planted_numbers.rs` draws (with Python's generator, so the corpora differ):
60 outlets of planted rate θ from 0.35 to 0.95, 1,500 stories whose truth is an integer log-uniform on
[10³, 10⁶], 3 to 8 distinct outlets per story; a good report is the truth (60%) or a near miss (relative
error Normal(0, 2%), rounded to the unit), a gross error is log-uniform on [10², 10⁸]. For every seed
and every binary given (default ./target/release/credence), scores em and vote with `--value-kind number`
and prints: share of stories whose value is the truth (`exact`), share within 1% of it (`within1`), the
mean relative error of the estimate capped at 1 (em's `estimate`, vote's median), the Spearman
correlation of em's reliability with the planted θ, and the share of planted θ inside [ci_low, ci_high].
No dependencies beyond the standard library; seeds are fixed, so the numbers repeat."""
import csv
import os
import random
import subprocess
import sys

OUTLETS, STORIES = 60, 1500


def write_corpus(path, seed, stories, outlets, extra, source, story):
    """Writes the claims; `extra` sets the reports per story (3 to 2 + extra), `source` and `story` the
    names' formats. Returns each outlet's planted rate and each story's truth."""
    r = random.Random(seed)
    theta = [0.35 + 0.6 * i / (outlets - 1) for i in range(outlets)]
    truth = {}
    with open(path, 'w') as f:
        f.write('claim_id,source,published_at,story_id,stance,value\n')
        n = 0
        for s in range(stories):
            x = round(10 ** (3 + 3 * r.random()))
            truth[story % s] = x
            for o in r.sample(range(outlets), 3 + int(r.random() * extra)):
                if r.random() >= theta[o]:
                    v = round(10 ** (2 + 6 * r.random()))
                elif r.random() < 0.6:
                    v = x
                else:
                    v = round(x * (1 + 0.02 * r.gauss(0, 1)))
                n += 1
                f.write('%d,%s,2020-01-01,%s,asserts,%d\n' % (n, source % o, story % s, v))
    return theta, truth, n


def generate(seed, d):
    os.makedirs(d, exist_ok=True)
    theta, truth, _ = write_corpus(d + '/claims.csv', seed, STORIES, OUTLETS, 6, 'outlet%02d', 's%04d')
    return theta, truth


def ranks(x):
    order = sorted(range(len(x)), key=lambda i: x[i])
    rk = [0.0] * len(x)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and x[order[j + 1]] == x[order[i]]:
            j += 1
        for k in range(i, j + 1):
            rk[order[k]] = (i + j) / 2
        i = j + 1
    return rk


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((p - ma) * (q - mb) for p, q in zip(ra, rb))
    va = sum((p - ma) ** 2 for p in ra) ** 0.5
    vb = sum((q - mb) ** 2 for q in rb) ** 0.5
    return cov / (va * vb)


def figures(out, truth):
    exact = near = err = 0.0
    for row in csv.DictReader(open(out + '/stories.csv')):
        x = truth[row['story_id']]
        v = row['value'].lstrip("'")
        if v:
            exact += float(v) == x
            near += abs(float(v) - x) <= 0.01 * x
        err += min(1.0, abs(float(row['estimate'].lstrip("'")) - x) / x)
    n = len(truth)
    return exact / n, near / n, err / n


def generate_large(path, stories, outlets, seed):
    print('%d claims' % write_corpus(path, seed, stories, outlets, 8, 'o%04d', 's%06d')[2])


def main():
    if sys.argv[1] == 'gen':
        generate_large(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
        return
    work, seeds = sys.argv[1], int(sys.argv[2])
    binaries = sys.argv[3:] or ['./target/release/credence']
    print('seed binary method exact within1 estimate_err spearman coverage')
    for seed in range(1, seeds + 1):
        d = '%s/seed%d' % (work, seed)
        theta, truth = generate(seed, d)
        for b, binary in enumerate(binaries):
            for method in ('em', 'vote'):
                out = '%s/%d-%s' % (d, b, method)
                subprocess.run([binary, 'score', '--claims', d + '/claims.csv', '--value-kind', 'number',
                                '--method', method, '--out', out], check=True, capture_output=True)
                e, w, err = figures(out, truth)
                rel, planted, cov = [], [], 0
                for row in csv.DictReader(open(out + '/sources.csv')):
                    t = theta[int(row['source'][len('outlet'):])]
                    rel.append(float(row['reliability']))
                    planted.append(t)
                    cov += float(row['ci_low']) <= t <= float(row['ci_high'])
                print('%d %d %s %.4f %.4f %.4f %.4f %.3f' % (seed, b, method, e, w, err,
                                                           spearman(rel, planted), cov / len(rel)))


if __name__ == '__main__':
    main()
