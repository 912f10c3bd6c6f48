# Diagnostic (session 8): the log likelihood of a gen world's credited reports under a chain of copy states,
# every parameter at its planted value but one after-copy rate shared by every position, over a few values of
# it; copies drawn from all earlier reports ('all') or from the independent ones only ('indep'). Stories of
# 2 to 9 reports. Usage: python3 copy_chain_likelihood.py GEN_DIR
import sys,collections,math,itertools
import world
d=sys.argv[1]
th,truth,cp,REAL,st=world.load(d)
def poscode(l,i):
    t=l[i][0]; before=sum(1 for u in l if u[0]<t); last=not any(u[0]>t for u in l); return (min(before,6),last)
tn=collections.Counter(); tc=collections.Counter()
for s_,l in st.items():
    l.sort()
    for i in range(1,len(l)):
        k=(poscode(l,i),l[i-1][3] if i>1 else False); tn[k]+=1; tc[k]+=l[i][3]
RHO={k:tc[k]/tn[k] for k in tn if not k[1]}
stories=[l for l in st.values() if 2<=len(l)<=9]
pcs=[[poscode(l,i) for i in range(len(l))] for l in stories]
for after in [1.0,0.9,0.7,0.5,0.2]:
  for qmode in ['all','indep']:
    tot=0.0
    for l,pc in zip(stories,pcs):
        n=len(l); L=0.0
        for T in (0,1):
            for zs in itertools.product((0,1),repeat=n-1):
                z=(0,)+zs; v=0.5
                for i in range(n):
                    if i>0:
                        r=after if z[i-1] else RHO.get((pc[i],False),0.0)
                        v*= r if z[i] else 1-r
                        if v==0: break
                    if z[i]:
                        pool=[j for j in range(i) if (qmode=='all' or not z[j])]
                        v*=sum(1 for j in pool if l[j][2]==l[i][2])/len(pool)
                    else:
                        right=(l[i][2]==bool(T)); v*= th[l[i][1]] if right else 1-th[l[i][1]]
                L+=v
        tot+=math.log(L)
    print(after,qmode,"%.1f"%tot,flush=True)
