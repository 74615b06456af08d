import ast,os,sys,json,glob,re,collections,tomllib
std=set(sys.stdlib_module_names)|{'__future__'}
found=collections.defaultdict(set)
OUT=sys.argv[1] if len(sys.argv)>1 else 'out'
for f in glob.glob(OUT+'/*.json'):
    for x in json.load(open(f)):
        if x['code']=='DEP004':
            found[x['filename']].add(x['location']['row'])
def imports(tree):
    res=[]
    class V(ast.NodeVisitor):
        def __init__(s): s.skip=0
        def visit_Try(s,n):
            catches=any((h.type is None) or 'ImportError' in ast.dump(h.type) or 'ModuleNotFoundError' in ast.dump(h.type) or 'Exception' in ast.dump(h.type) for h in n.handlers)
            if catches: s.skip+=1
            for b in n.body: s.visit(b)
            for h in n.handlers:
                for b in h.body: s.visit(b)
            if catches: s.skip-=1
            for b in n.orelse+n.finalbody: s.visit(b)
        def visit_If(s,n):
            if 'TYPE_CHECKING' in ast.dump(n.test): return
            s.generic_visit(n)
        def visit_Import(s,n):
            if not s.skip:
                for a in n.names: res.append((a.name,n.lineno))
        def visit_ImportFrom(s,n):
            if not s.skip and n.level==0 and n.module: res.append((n.module,n.lineno))
    V().visit(tree); return res
for proj,root,first in [('sceptre-4.7.0','sceptre',{'sceptre'}),('aws_sam_cli-1.170.0','samcli',{'samcli'}),('python_jenkins-1.8.3','jenkins',{'jenkins'}),('docker-7.2.0','docker',{'docker'}),('localstack_core-2026.3.0','localstack-core/localstack',{'localstack'}),('molecule-26.10.0','src/molecule',{'molecule'}),('ec2instanceconnectcli-1.0.3','ec2instanceconnectcli',{'ec2instanceconnectcli'})]:
    c=collections.Counter(); hits=collections.Counter(); ex={}
    for dp,dn,fns in os.walk(f'proj/{proj}/{root}'):
        for fn in fns:
            if not fn.endswith('.py'): continue
            p=os.path.join(dp,fn)
            try: t=ast.parse(open(p,'rb').read())
            except Exception: continue
            local={x[:-3] if x.endswith('.py') else x for x in os.listdir(dp)}
            for m,l in imports(t):
                top=m.split('.')[0]
                if top in std or top in first or top in local: continue
                c[top]+=1; ex.setdefault(top,f'{p}:{l}')
                if l in found.get(p,()): hits[top]+=1
    print('==',proj)
    for k,v in sorted(c.items()): print(f'  {k:25} {v:4} flagged={hits[k]:4}  {ex[k][5:]}')
