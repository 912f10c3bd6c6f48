# Diagnostic (session 8): as copy_bias_positional.py, but copies as a chain of copy states (-markov) or as
# the generator's suffix of copies, with the planted rates. Usage: python3 copy_bias_chain.py GEN_DIR [-markov] [-resp]
# Oracle under the generator's own structure: credited reports are an independent prefix then copies.
import csv,sys,collections,math
import numpy as np
import world
d=sys.argv[1]; use_resp='-resp' in sys.argv
th,truth,cp,REAL,st=world.load(d)
pm=collections.defaultdict(collections.Counter)
for s,l in st.items():
    l.sort(); n=len(l); m=sum(1 for x in l if not x[3])
    assert all(not x[3] for x in l[:m]), l
    pm[n][m]+=1
PM={n:{m:c/sum(cs.values()) for m,c in cs.items()} for n,cs in pm.items()}
def poscode(l,i):
    t=l[i][0]; before=sum(1 for u in l if u[0]<t); last=not any(u[0]>t for u in l); return (min(before,6),last)
tn=collections.Counter(); tc=collections.Counter()
for s_,l in st.items():
    for i in range(1,len(l)):
        k=(poscode(l,i),l[i-1][3] if i>1 else False); tn[k]+=1; tc[k]+=l[i][3]
RHO={k:tc[k]/tn[k] for k in tn}
MARKOV='-markov' in sys.argv
import itertools
lr,nans=world.answer_odds(d,truth) if use_resp else (collections.defaultdict(float),collections.Counter())
recs=collections.defaultdict(list)
for s,l in st.items():
    n=len(l)
    if n-1+nans[s]==0 or n>11: continue
    def lik(thv):
        # returns total likelihood, summed over T and m
        tot_=0.0
        for T in (0,1):
            pT=0.5*math.exp(lr[s]) if T else 0.5
            if MARKOV:
              for zs in itertools.product((0,1),repeat=n-1):
                z=(0,)+zs; v=pT
                for i in range(n):
                    if i>0:
                        r=RHO.get((poscode(l,i),bool(z[i-1]) if i>1 else False),0.0); v*= r if z[i] else 1-r
                        if v==0: break
                    if z[i]: v*=sum(1 for j in range(i) if l[j][2]==l[i][2])/i
                    else:
                        right=(l[i][2]==bool(T)); v*= thv[i] if right else 1-thv[i]
                tot_+=v
            else:
              for m,pmv in PM[n].items():
                v=pT*pmv
                for i in range(m):
                    right=(l[i][2]==bool(T)); v*= thv[i] if right else 1-thv[i]
                for i in range(m,n):
                    v*=sum(1 for j in range(m) if l[j][2]==l[i][2])/m
                tot_+=v
        return tot_
    base=[th[x[1]] for x in l]
    for i in range(n):
        t0=base.copy(); t0[i]=0.0; t1=base.copy(); t1[i]=1.0
        A=lik(t0); Bv=lik(t1)-A
        # factor A + B θ = scale·(c θ + (1−c)(1−θ)), c=(A+B)/(2A+B)
        if 2*A+Bv<=0: continue
        recs[l[i][1]].append((A+Bv)/(2*A+Bv))
errs=[]
for src,cs in recs.items():
    cs=np.array(cs); t=0.7
    for _ in range(60):
        f=cs*t+(1-cs)*(1-t); g=np.sum((2*cs-1)/f); h=-np.sum(((2*cs-1)/f)**2); t=min(max(t-g/h,1e-6),1-1e-6)
    errs.append((t-th[src],t-REAL[src]))
    if "-v" in sys.argv: print(src,"θ=%.3f n=%d real=%.4f est=%.4f d=%+.4f"%(th[src],len(cs),REAL[src],t,t-REAL[src]))
print(d,'chain' if MARKOV else 'suffix',"resp" if use_resp else "noresp","mean θ̂−θ %+.5f  θ̂−real %+.5f"%(np.mean([e[0] for e in errs]),np.mean([e[1] for e in errs])))
