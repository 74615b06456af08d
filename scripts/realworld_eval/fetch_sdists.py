"""Download pinned sdists from PyPI (NAME==VERSION ...) into the current directory."""
import urllib.parse,json,sys,urllib.request,os
for arg in sys.argv[1:]:
    name,_,ver=arg.partition("==")
    try:
        url=f"https://pypi.org/pypi/{name}/{ver}/json" if ver else f"https://pypi.org/pypi/{name}/json"
        d=json.load(urllib.request.urlopen(url,timeout=60))
        v=d["info"]["version"]
        sd=[u for u in d["urls"] if u["packagetype"]=="sdist"]
        if not sd: print(name,v,"NO SDIST"); continue
        u=sd[0]
        fn=u["filename"]
        if not os.path.exists(fn):
            urllib.request.urlretrieve(urllib.parse.urljoin(url,u["url"]),fn)
        print(name,v,fn,u["size"],u["digests"]["sha256"])
    except Exception as e: print(name,"ERR",e)
