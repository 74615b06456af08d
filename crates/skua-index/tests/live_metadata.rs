//! Opt-in live tier: skua's METADATA parser against Python's on real wheels from PyPI.
//! Run with `SKUA_LIVE_TESTS=1 cargo test -p skua-index --test live_metadata`; skipped
//! otherwise, so the default suite stays offline and deterministic.
//!
//! For each project below, the METADATA of its newest wheel (or of the pinned version) is
//! fetched, parsed by [`CoreMetadata::parse`], and compared field by field with what
//! `email.parser` (policy compat32) and `packaging` make of the same bytes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use skua_index::{Cache, CoreMetadata, DistFile, IndexClient, IndexUrl, PackageName, Version};

/// Common DevOps dependencies, plus old releases known for quirky metadata.
const PROJECTS: &[&str] = &[
    "boto3",
    "botocore",
    "s3transfer",
    "awscli",
    "jmespath",
    "kubernetes",
    "requests",
    "urllib3",
    "certifi",
    "idna",
    "charset-normalizer",
    "pyyaml",
    "ansible-core",
    "ansible",
    "jinja2",
    "markupsafe",
    "cryptography",
    "cffi",
    "pycparser",
    "paramiko",
    "bcrypt",
    "pynacl",
    "docker",
    "fabric",
    "invoke",
    "click",
    "rich",
    "typer",
    "pydantic",
    "pydantic-core",
    "fastapi",
    "starlette",
    "uvicorn",
    "gunicorn",
    "flask",
    "werkzeug",
    "itsdangerous",
    "django",
    "sqlalchemy",
    "alembic",
    "psycopg2-binary",
    "psycopg",
    "redis",
    "celery",
    "kombu",
    "amqp",
    "prometheus-client",
    "opentelemetry-api",
    "opentelemetry-sdk",
    "grpcio",
    "protobuf",
    "google-auth",
    "google-api-core",
    "google-cloud-storage",
    "googleapis-common-protos",
    "azure-core",
    "azure-identity",
    "azure-storage-blob",
    "msal",
    "hvac",
    "python-dateutil",
    "six",
    "pytz",
    "tzdata",
    "attrs",
    "jsonschema",
    "referencing",
    "rpds-py",
    "packaging",
    "setuptools",
    "wheel",
    "pip",
    "virtualenv",
    "tox",
    "pytest",
    "pluggy",
    "coverage",
    "black",
    "ruff",
    "mypy",
    "flake8",
    "pylint",
    "pre-commit",
    "filelock",
    "platformdirs",
    "tomli",
    "tomlkit",
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "aiohttp",
    "yarl",
    "multidict",
    "websocket-client",
    "oauthlib",
    "requests-oauthlib",
    "rsa",
    "pyasn1",
    "cachetools",
    "tenacity",
    "sentry-sdk",
    "structlog",
    "python-dotenv",
    "psutil",
    "dnspython",
    "pymongo",
    "elasticsearch",
    // A stray `',` after a Requires-Dist specifier.
    "boto3==1.2.0",
    // A License folded over whitespace-only lines (from meson-python / setuptools
    // escaping blank lines of a long license text) before the Requires-Dist lines.
    "pandas==2.1.4",
    "scipy==1.11.4",
    "numpy==1.26.4",
    // Metadata 1.x/2.0-era wheels.
    "requests==2.9.1",
    "six==1.10.0",
];

const COMPARE: &str = r#"
import email.parser, email.policy, json, sys
from packaging.requirements import Requirement, InvalidRequirement
from packaging.specifiers import SpecifierSet, InvalidSpecifier
from packaging.version import Version

def flat(text):
    return " ".join(text.split())

def requirement(text):
    try:
        return str(Requirement(flat(text)))
    except InvalidRequirement:
        return "unparsable: " + flat(text)

def specifiers(text):
    if text is None or not flat(text):
        return None
    try:
        return str(SpecifierSet(flat(text)))
    except InvalidSpecifier:
        return "unparsable: " + flat(text)

failures = 0
cases = json.load(open(sys.argv[1]))
for case in cases:
    with open(case["file"], "rb") as f:
        m = email.parser.BytesParser(policy=email.policy.compat32).parse(f)
    skua = case["skua"]
    python = {
        "metadata_version": flat(m["Metadata-Version"] or ""),
        "name": flat(m["Name"] or ""),
        "version": str(Version(m["Version"])),
        "requires_dist": [requirement(v) for v in m.get_all("Requires-Dist") or [] if flat(v)],
        "requires_python": specifiers(m["Requires-Python"]),
        "provides_extra": [flat(v) for v in m.get_all("Provides-Extra") or [] if flat(v)],
    }
    ours = {
        "metadata_version": skua["metadata_version"],
        "name": skua["name"],
        "version": str(Version(skua["version"])),
        "requires_dist": [requirement(v) for v in skua["requires_dist"]],
        "requires_python": specifiers(skua["requires_python"]),
        "provides_extra": skua["provides_extra"],
    }
    for key in python:
        if python[key] != ours[key]:
            failures += 1
            print(f"{case['label']}: {key}\n  python: {python[key]!r}\n  skua:   {ours[key]!r}")
print(f"compared {len(cases)} METADATA files, {failures} differences")
sys.exit(1 if failures else 0)
"#;

fn live() -> bool {
    let enabled = std::env::var_os("SKUA_LIVE_TESTS").is_some();
    if !enabled {
        eprintln!("skipped: set SKUA_LIVE_TESTS=1 to compare METADATA parsing on PyPI wheels");
    }
    enabled
}

fn has_packaging(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import packaging.requirements"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// An interpreter that can import `packaging`: `python3` itself, else a venv in `dir`
/// with packaging installed from PyPI.
fn python_with_packaging(dir: &Path) -> Option<PathBuf> {
    let system = PathBuf::from("python3");
    if has_packaging(&system) {
        return Some(system);
    }
    let venv = dir.join("venv");
    let created = Command::new(&system)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|status| status.success());
    let python = venv.join("bin").join("python");
    let installed = created
        && Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "packaging"])
            .status()
            .is_ok_and(|status| status.success());
    (installed && has_packaging(&python)).then_some(python)
}

/// The wheel whose METADATA stands for `spec` (`name` or `name==version`): the newest
/// (or pinned) version's pure wheel if any, else its smallest.
fn pick(files: &[DistFile], pinned: Option<&Version>) -> Option<DistFile> {
    let wheels: Vec<&DistFile> = files
        .iter()
        .filter(|file| file.is_wheel() && !file.is_yanked())
        .filter(|file| pinned.is_none_or(|version| file.version() == version))
        .collect();
    let newest = wheels
        .iter()
        .map(|file| file.version())
        .filter(|version| pinned.is_some() || !version.any_prerelease())
        .max()?
        .clone();
    let of_newest: Vec<&&DistFile> = wheels
        .iter()
        .filter(|file| file.version() == &newest)
        .collect();
    of_newest
        .iter()
        .find(|file| file.filename.ends_with("-none-any.whl"))
        .or_else(|| {
            of_newest
                .iter()
                .min_by_key(|file| file.size.unwrap_or(u64::MAX))
        })
        .map(|file| (**file).clone())
}

async fn fetch(
    client: &IndexClient,
    http: &reqwest::Client,
    spec: &str,
) -> Result<(DistFile, Vec<u8>), String> {
    let (name, pinned) = match spec.split_once("==") {
        Some((name, version)) => (
            name,
            Some(version.parse::<Version>().map_err(|e| e.to_string())?),
        ),
        None => (spec, None),
    };
    let name = PackageName::new(name).map_err(|e| e.to_string())?;
    let project = client.project(&name).await.map_err(|e| e.to_string())?;
    let file = pick(&project.files, pinned.as_ref()).ok_or("no wheel")?;
    // PyPI serves `{wheel}.metadata` for (nearly) every wheel, advertised or not.
    let response = http
        .get(file.metadata_url())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        return Ok((file, bytes.to_vec()));
    }
    let wheel = client.fetch(&file).await.map_err(|e| e.to_string())?;
    let bytes = tokio::task::spawn_blocking(move || wheel_metadata(&wheel))
        .await
        .map_err(|e| e.to_string())??;
    Ok((file, bytes))
}

/// The `*.dist-info/METADATA` of a downloaded wheel.
fn wheel_metadata(wheel: &Path) -> Result<Vec<u8>, String> {
    let reader = std::fs::File::open(wheel).map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| e.to_string())?;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| e.to_string())?;
        let name = entry.name().map_err(|e| e.to_string())?.into_owned();
        if name.ends_with(".dist-info/METADATA") && name.matches('/').count() == 1 {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).map_err(|e| e.to_string())?;
            return Ok(bytes);
        }
    }
    Err("no .dist-info/METADATA in the wheel".into())
}

#[tokio::test(flavor = "multi_thread")]
async fn metadata_of_pypi_wheels_reads_as_python_reads_it() {
    if !live() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(python) = python_with_packaging(dir.path()) else {
        eprintln!(
            "skipped: no python3 with `packaging`, and it could not be installed into a venv"
        );
        return;
    };
    let client = IndexClient::builder(Cache::new(dir.path().join("cache")))
        .index_url(IndexUrl::parse("https://pypi.org/simple/").expect("url"))
        .netrc(None)
        .build()
        .expect("client");
    let http = reqwest::Client::new();
    let client = Arc::new(client);
    let mut fetches = tokio::task::JoinSet::new();
    for (position, spec) in PROJECTS.iter().enumerate() {
        let (client, http) = (Arc::clone(&client), http.clone());
        fetches.spawn(async move { (position, *spec, fetch(&client, &http, spec).await) });
    }
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    while let Some(joined) = fetches.join_next().await {
        let (position, spec, fetched) = joined.expect("fetch task");
        let (file, bytes) = match fetched {
            Ok(fetched) => fetched,
            Err(error) => {
                errors.push(format!("{spec}: {error}"));
                continue;
            }
        };
        let path = dir.path().join(format!("{position:03}.METADATA"));
        std::fs::write(&path, &bytes).expect("write");
        let parsed = match CoreMetadata::parse(&bytes) {
            Ok(parsed) => parsed,
            Err(error) => {
                errors.push(format!("{}: skua cannot parse it: {error}", file.filename));
                continue;
            }
        };
        cases.push((
            position,
            serde_json::json!({
                "label": file.filename,
                "file": path,
                "skua": {
                    "metadata_version": parsed.metadata_version,
                    "name": parsed.name,
                    "version": parsed.version.to_string(),
                    "requires_dist": parsed.requires_dist,
                    "requires_python": parsed.requires_python,
                    "provides_extra": parsed.provides_extra,
                },
            }),
        ));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    cases.sort_by_key(|(position, _)| *position);
    let cases: Vec<_> = cases.into_iter().map(|(_, case)| case).collect();
    let cases_path = dir.path().join("cases.json");
    std::fs::write(&cases_path, serde_json::to_vec(&cases).expect("json")).expect("write");
    let output = Command::new(&python)
        .args(["-c", COMPARE])
        .arg(&cases_path)
        .output()
        .expect("python runs");
    let report = String::from_utf8_lossy(&output.stdout);
    eprintln!("{report}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{report}");
    assert!(
        report.contains(&format!("compared {} METADATA", PROJECTS.len())),
        "{report}"
    );
}
