import json,glob,collections,re,sys
outdir=sys.argv[1] if len(sys.argv)>1 else 'out'
FP_SHAPES={}
def shape(p,top,fn):
    a=p.startswith('ansible-')
    if a and top in('ansible','ansible_collections'): return 'FP ansible-host/collection-namespace'
    if a and top in('pytest','mock','packaging') : return 'FP ansible-test-provided/nested-req-shadow'
    if a and top=='yaml' and 'tests/' in fn: return 'FP ansible-test-provided/nested-req-shadow'
    if top=='orderreddict' or (p.startswith('invoke') and top in('lexicon','fluidity')): return 'FP import-in-except-ImportError'
    if top=='tests_common': return 'FP workspace-member-module (uv workspace dev group)'
    if top=='airflow_google_provider_resource_cleanup' or (p.startswith('invoke') and top in('tree','package')): return 'FP local-package-on-sys.path'
    if p.startswith('fabric') and top in('paramiko','decorator','deprecated'): return 'FP setup.py-deps-shadowed-by-dev-requirements'
    if top in('samtranslator','cfnlint','antlr4','jpype','moto','airspeed','amazon_kclpy','aws_cdk','win32event','win32pipe','cfn_tools') or top.startswith('mypy_boto3'): return 'FP import-name-to-dist-mapping'
    if p.startswith('localstack') and top=='localstack': return 'FP own-package-name (localstack-core)'
    return 'TP'
c=collections.Counter(); ex={}
for f in sorted(glob.glob(outdir+'/*.json')):
    for x in json.load(open(f)):
        if x['code']!='DEP004': continue
        m=re.match(r"`([^`]+)`",x['message']).group(1); top=m.split('.')[0]
        p=x['filename'].split('/')[1]
        s=shape(p,top,x['filename'])
        c[s]+=1; ex.setdefault(s,f"{x['filename'][5:]}:{x['location']['row']} ({m})")
tot=sum(c.values())
for k,v in c.most_common(): print(v,k,'|',ex[k])
print('total',tot,'TP',c['TP'])
