# Diagnostic (session 8): each outlet's maximum-likelihood θ under em's likelihood (a copy rate per position),
# with every other parameter at its planted value. Usage: python3 copy_bias_positional.py GEN_DIR exact|noresp|nocopy
# Oracle: each source's MLE of θ under credence's em likelihood, with every other parameter at its truth.
import csv,sys,collections,math
import numpy as np
import world
d=sys.argv[1]; mode=sys.argv[2] if len(sys.argv)>2 else 'exact'
th,truth,cp,REAL,st=world.load(d)
# true copy share by position
n=collections.Counter(); c=collections.Counter(); info={}
for s,l in st.items():
    l.sort(key=lambda x:(x[0],x[1]))
    for i,(t,src,a,isc) in enumerate(l):
        before=sum(1 for u in l if u[0]<t); last=not any(u[0]>t for u in l)
        q=(sum(1 for u in l if u[0]<t and u[2]==a)/before) if before else None
        if mode.endswith('trueq') and before:
            ind=[u for u in l if u[0]<t and not u[3]]
            q=sum(1 for u in ind if u[2]==a)/len(ind)
        k=(min(before,6),last); info[(s,i)]=(k,q)
        if before: n[k]+=1; c[k]+=isc
rho={k:c[k]/n[k] for k in n}
# responders' true rates
lr,nans=world.answer_odds(d,truth)
res={}
try:
    for r in csv.DictReader(open(d+'/resolutions.csv')): res[r['story_id']]=r['outcome']=='true'
except FileNotFoundError: pass
recs=collections.defaultdict(list)
for s,l in st.items():
    llrs=[]
    for i,(t,src,a,isc) in enumerate(l):
        k,q=info[(s,i)]; T=th[src]; sg=1 if a else -1
        if q is None or q==0: llrs.append(sg*math.log(T/(1-T)))
        else:
            r=rho[k]; right=(1-r)*T+r*q; wrong=(1-r)*(1-T)+r*q
            llrs.append(sg*math.log(right/wrong))
    L=sum(llrs)+(0 if mode.startswith("noresp") else lr[s])
    for i,(t,src,a,isc) in enumerate(l):
        if s in res: cc=1.0 if a==res[s] else 0.0
        else:
            if len(l)-1+(0 if mode.startswith("noresp") else nans[s])==0: continue
            cc=1/(1+math.exp(-( (1 if a else -1)*(L-llrs[i]) )))
        k,q=info[(s,i)]
        if mode in ("exact","noresp","noresp-trueq") and q:
            r=rho[k]; sh=r*q; cc=(sh+(1-r)*cc)/(2*sh+1-r)
        if mode=="nocopy" and isc: continue
        recs[src].append(cc)
errs=[]
for src,cs in recs.items():
    cs=np.array(cs); t=0.7
    for _ in range(60):
        f=cs*t+(1-cs)*(1-t); g=np.sum((2*cs-1)/f); h=-np.sum(((2*cs-1)/f)**2); t=min(max(t-g/h,1e-6),1-1e-6)
    errs.append((src,t-th[src],t-REAL[src]))
e=[x[1] for x in errs]; print(d,mode,"mean θ̂−θ %+.5f  θ̂−real %+.5f n=%d"%(np.mean(e),np.mean([x[2] for x in errs]),len(e)))
print("rho",{k:round(v,4) for k,v in sorted(rho.items())})
