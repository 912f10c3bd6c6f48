"""LIAR six-way: how far the metadata beside the speaker takes a predictor that never reads the statement.

Multinomial logistic regression (scikit-learn) on one-hot speaker, party, subjects, context (and its words),
job and state, its strength C chosen on the validation split, then scored on test. Run from anywhere:

    python3 scripts/diagnostics/liar_metadata.py [DATASETS_DIR]

(DATASETS_DIR defaults to /work/shared/datasets). EVALUATION.md, "LIAR", quotes its output.
"""
import sys
import csv, numpy as np, re
from collections import Counter, defaultdict
L=['pants-fire','false','barely-true','half-true','mostly-true','true']
def read(p):
    rows=[]
    for r in csv.reader(open((sys.argv[1] if len(sys.argv) > 1 else '/work/shared/datasets') + '/liar/' + p), delimiter='\t', quoting=csv.QUOTE_NONE):
        rows.append(dict(label=L.index(r[1]), subj=[s.strip() for s in r[3].split(',') if s.strip()], spk=r[4].strip(), job=r[5].strip().lower(), state=r[6].strip().lower(), party=r[7].strip().lower(), ctx=r[13].strip().lower() if len(r)>13 else ''))
    return rows
tr,va,te=read('train.tsv'),read('valid.tsv'),read('test.tsv')
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
def feats(r, use):
    f={}
    if 'spk' in use: f['spk='+r['spk']]=1
    if 'party' in use: f['party='+r['party']]=1
    if 'job' in use: f['job='+r['job']]=1
    if 'state' in use: f['state='+r['state']]=1
    if 'subj' in use:
        for s in r['subj']: f['subj='+s]=1
    if 'ctx' in use:
        f['ctx='+r['ctx']]=1
        for w in re.findall(r'[a-z]+', r['ctx']): f['ctxw='+w]=1
    return f
sets=[('spk',),('spk','party'),('spk','party','subj'),('spk','party','ctx'),('spk','party','subj','ctx'),('spk','party','subj','ctx','job','state')]
for use in sets:
    dv=DictVectorizer()
    Xtr=dv.fit_transform([feats(r,use) for r in tr]); ytr=[r['label'] for r in tr]
    Xva=dv.transform([feats(r,use) for r in va]); Xte=dv.transform([feats(r,use) for r in te])
    best=None
    for C in [0.01,0.03,0.1,0.3,1,3]:
        m=LogisticRegression(C=C,max_iter=3000).fit(Xtr,ytr)
        a=(m.predict(Xva)==np.array([r['label'] for r in va])).mean()
        if best is None or a>best[0]: best=(a,C,m)
    a,C,m=best
    t=(m.predict(Xte)==np.array([r['label'] for r in te])).mean()
    print(use, 'C',C,'valid %.4f test %.4f'%(a,t))
