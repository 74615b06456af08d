import os,re,json,glob,sys,collections
found=collections.defaultdict(set)  # (file) -> set of (code,row)
OUT=sys.argv[1] if len(sys.argv)>1 else 'out'
for f in glob.glob(OUT+'/*.json'):
    for x in json.load(open(f)):
        found[x['filename']].add((x['code'][:3],x['location']['row']))
pats={
 'CLI':re.compile(r'''(subprocess|os\.system|os\.popen|Popen|check_output|check_call|\brun\(|call\(|create_subprocess|sh\.|execute_cmd|run_command).*["'\[]\s*["']?(aws|kubectl|gcloud|gsutil|az|helm|terraform|eksctl|bq|docker|oc|ansible-playbook|pulumi)\b["' ]'''),
 'CLI2':re.compile(r'''^\s*[\[(]?\s*["'](aws|kubectl|gcloud|gsutil|helm|terraform|eksctl|az)["'],\s*["'][a-z]'''),
 'NET':re.compile(r'''\b(requests|httpx|session|sess|self\.session|self\._session|client)\.(get|post|put|delete|patch|head|request)\('''),
 'TLS':re.compile(r'''verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False|verify_ssl\s*=\s*False|_create_unverified_context|disable_warnings|assert_hostname\s*=\s*False|cert_reqs\s*=\s*["']?(CERT_NONE|none)'''),
 'YML':re.compile(r'''yaml\.(load|load_all|full_load|unsafe_load|full_load_all|unsafe_load_all)\(|Loader\s*=\s*yaml\.(Loader|UnsafeLoader|FullLoader)'''),
 'INJ':re.compile(r'''shell\s*=\s*True|os\.system\(|os\.popen\(|create_subprocess_shell\(|["'](ba)?sh["'],\s*["']-c["']'''),
 'SEC':re.compile(r'''AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{30,}|xox[bpa]-|-----BEGIN [A-Z ]*PRIVATE KEY|(password|passwd|secret|token|api_key|apikey)\w*["']?\s*[:=]\s*["'][^"'{}$<%]{6,}["']''',re.I),
}
out=open('recall/candidates.tsv','w')
n=collections.Counter()
for root,dirs,files in os.walk('proj'):
    for fn in files:
        if not fn.endswith('.py'): continue
        p=os.path.join(root,fn)
        try: lines=open(p,errors='replace').read().split('\n')
        except: continue
        for i,l in enumerate(lines,1):
            for fam,rx in pats.items():
                if rx.search(l):
                    fam2=fam[:3]
                    if fam2=='NET' and 'timeout' in ' '.join(lines[i-1:i+8]): 
                        # crude: timeout within call span
                        pass
                    hit=any(c[0]==fam2[:3] and abs(r-i)<=6 for c,r in [((c,),r) for c,r in found.get(p,())]) if False else any(c==fam2 and abs(r-i)<=6 for c,r in found.get(p,()))
                    n[(fam2,hit)]+=1
                    out.write(f"{fam2}\t{'HIT' if hit else 'MISS'}\t{p[5:]}:{i}\t{l.strip()[:160]}\n")
print(n)
