//! Which distributions an import name can come from, without an installed environment:
//! a table of the packages whose import name differs from their distribution name
//! (`yaml` → `pyyaml`), the namespace packages of the big clouds (`google.cloud.X` →
//! `google-cloud-X`, `azure.X.Y` → `azure-X-Y`), and the name itself otherwise.

use skua_types::PackageName;

/// Import prefix → the distributions that provide it, the usual one first. The longest
/// dotted prefix of an import that is listed wins (`google.cloud.storage` before `google`).
const KNOWN: &[(&str, &[&str])] = &[
    ("Bio", &["biopython"]),
    ("CloudFlare", &["cloudflare"]),
    ("Crypto", &["pycryptodome", "pycrypto"]),
    ("Cryptodome", &["pycryptodomex"]),
    ("Levenshtein", &["levenshtein", "python-levenshtein"]),
    ("MySQLdb", &["mysqlclient"]),
    ("OpenSSL", &["pyopenssl"]),
    ("PIL", &["pillow"]),
    ("Xlib", &["python-xlib"]),
    ("_cffi_backend", &["cffi"]),
    ("_pytest", &["pytest"]),
    ("airflow", &["apache-airflow"]),
    ("airspeed", &["airspeed", "airspeed-ext"]),
    ("amazon_kclpy", &["amazon-kclpy", "kclpy-ext"]),
    ("ansible", &["ansible", "ansible-core"]),
    ("antlr4", &["antlr4-python3-runtime"]),
    ("apiclient", &["google-api-python-client"]),
    ("apscheduler", &["apscheduler"]),
    ("atlassian", &["atlassian-python-api"]),
    ("attr", &["attrs"]),
    ("aws_cdk", &["aws-cdk-lib"]),
    ("bs4", &["beautifulsoup4"]),
    ("bson", &["pymongo"]),
    ("cassandra", &["cassandra-driver"]),
    ("cfn_tools", &["cfn-flip"]),
    ("cfnlint", &["cfn-lint"]),
    ("consul", &["python-consul", "py-consul", "python-consul2"]),
    ("crontab", &["python-crontab", "crontab"]),
    (
        "cv2",
        &[
            "opencv-python",
            "opencv-python-headless",
            "opencv-contrib-python",
        ],
    ),
    ("daemon", &["python-daemon"]),
    ("databricks.sdk", &["databricks-sdk"]),
    ("databricks.sql", &["databricks-sql-connector"]),
    ("dateutil", &["python-dateutil"]),
    ("dbus", &["dbus-python"]),
    ("decouple", &["python-decouple"]),
    ("digitalocean", &["python-digitalocean"]),
    ("discord", &["discord-py"]),
    ("dns", &["dnspython"]),
    ("docx", &["python-docx"]),
    ("dotenv", &["python-dotenv"]),
    ("engineio", &["python-engineio"]),
    ("factory", &["factory-boy"]),
    ("faker", &["faker"]),
    ("gi", &["pygobject"]),
    ("git", &["gitpython"]),
    ("github", &["pygithub"]),
    ("github3", &["github3-py"]),
    ("gitlab", &["python-gitlab"]),
    ("google.api", &["googleapis-common-protos"]),
    ("google.api_core", &["google-api-core"]),
    ("google.auth", &["google-auth"]),
    ("google.iam", &["grpc-google-iam-v1"]),
    ("google.oauth2", &["google-auth"]),
    ("google.protobuf", &["protobuf"]),
    ("google.rpc", &["googleapis-common-protos"]),
    ("google.type", &["googleapis-common-protos"]),
    ("google_auth_oauthlib", &["google-auth-oauthlib"]),
    ("googleapiclient", &["google-api-python-client"]),
    ("gridfs", &["pymongo"]),
    ("grpc", &["grpcio"]),
    ("grpc_tools", &["grpcio-tools"]),
    ("hcl", &["pyhcl"]),
    ("hcl2", &["python-hcl2"]),
    ("hydra", &["hydra-core"]),
    ("jenkins", &["python-jenkins"]),
    ("jpype", &["jpype1"]),
    ("jose", &["python-jose"]),
    ("jwt", &["pyjwt"]),
    ("kafka", &["kafka-python", "kafka-python-ng"]),
    ("kerberos", &["pykerberos"]),
    ("ldap", &["python-ldap"]),
    ("libcloud", &["apache-libcloud"]),
    ("magic", &["python-magic"]),
    ("memcache", &["python-memcached"]),
    ("moto", &["moto", "moto-ext"]),
    ("multipart", &["python-multipart"]),
    ("nacl", &["pynacl"]),
    ("nmap", &["python-nmap"]),
    ("nomad", &["python-nomad"]),
    ("novaclient", &["python-novaclient"]),
    ("openstack", &["openstacksdk"]),
    ("opensearchpy", &["opensearch-py"]),
    ("ovirtsdk4", &["ovirt-engine-sdk-python"]),
    ("opentelemetry.baggage", &["opentelemetry-api"]),
    ("opentelemetry.context", &["opentelemetry-api"]),
    ("opentelemetry.metrics", &["opentelemetry-api"]),
    ("opentelemetry.propagate", &["opentelemetry-api"]),
    ("opentelemetry.trace", &["opentelemetry-api"]),
    ("pkg_resources", &["setuptools"]),
    ("psycopg", &["psycopg", "psycopg-binary"]),
    ("psycopg2", &["psycopg2-binary", "psycopg2"]),
    ("pyVim", &["pyvmomi"]),
    ("pyVmomi", &["pyvmomi"]),
    ("pythoncom", &["pywin32"]),
    ("pythonjsonlogger", &["python-json-logger"]),
    ("pywintypes", &["pywin32"]),
    ("ruamel.yaml", &["ruamel-yaml"]),
    ("samtranslator", &["aws-sam-translator"]),
    ("serial", &["pyserial"]),
    ("setuptools", &["setuptools"]),
    ("skimage", &["scikit-image"]),
    ("sklearn", &["scikit-learn"]),
    ("slack", &["slackclient"]),
    ("slugify", &["python-slugify"]),
    ("smbclient", &["smbprotocol"]),
    ("snappy", &["python-snappy"]),
    ("snowflake.connector", &["snowflake-connector-python"]),
    ("socketio", &["python-socketio"]),
    ("socks", &["pysocks"]),
    ("ssh2", &["ssh2-python"]),
    ("telegram", &["python-telegram-bot"]),
    // Airflow's test helpers, the package of its `apache-airflow-devel-common` workspace member.
    ("tests_common", &["apache-airflow-devel-common"]),
    ("usb", &["pyusb"]),
    ("websocket", &["websocket-client"]),
    ("whois", &["python-whois"]),
    ("win32api", &["pywin32"]),
    ("win32com", &["pywin32"]),
    ("win32con", &["pywin32"]),
    ("win32cred", &["pywin32"]),
    ("win32crypt", &["pywin32"]),
    ("win32event", &["pywin32"]),
    ("win32evtlog", &["pywin32"]),
    ("win32file", &["pywin32"]),
    ("win32gui", &["pywin32"]),
    ("win32job", &["pywin32"]),
    ("win32net", &["pywin32"]),
    ("win32pipe", &["pywin32"]),
    ("win32process", &["pywin32"]),
    ("win32profile", &["pywin32"]),
    ("win32security", &["pywin32"]),
    ("win32service", &["pywin32"]),
    ("win32serviceutil", &["pywin32"]),
    ("win32timezone", &["pywin32"]),
    ("win32ts", &["pywin32"]),
    ("winerror", &["pywin32"]),
    ("winrm", &["pywinrm"]),
    ("wmi", &["wmi"]),
    ("yaml", &["pyyaml"]),
    ("zmq", &["pyzmq"]),
];

/// Namespace packages whose distributions are named by their dotted path (`azure.mgmt.compute`
/// is `azure-mgmt-compute`): the namespace, how many components name the usual
/// distribution, and a prefix of the distribution name.
const NAMESPACES: &[(&str, usize, &str)] = &[
    ("airflow.providers", 3, "apache-"),
    ("azure", 2, ""),
    ("azure.ai", 3, ""),
    ("azure.communication", 3, ""),
    ("azure.keyvault", 3, ""),
    ("azure.mgmt", 3, ""),
    ("azure.monitor", 3, ""),
    ("azure.storage", 3, ""),
    ("backports", 2, ""),
    ("google", 2, ""),
    ("google.cloud", 3, ""),
    ("jaraco", 2, ""),
    ("opentelemetry", 2, ""),
    ("opentelemetry.exporter", 3, ""),
    ("opentelemetry.instrumentation", 3, ""),
    ("zope", 2, ""),
];

/// The distributions an import may come from (any of them declared covers it), the one to
/// name in a message first. Empty for a bare namespace (`import google`): no distribution
/// can be told from it.
pub(crate) fn distributions(import: &str) -> Vec<PackageName> {
    if NAMESPACES.iter().any(|(ns, _, _)| *ns == import) {
        return Vec::new();
    }
    let parts: Vec<&str> = import.split('.').collect();
    // The longest listed prefix, and the namespace rule; the more specific names first.
    let known = (1..=parts.len()).rev().find_map(|len| {
        let prefix = parts[..len].join(".");
        KNOWN
            .iter()
            .find(|(known, _)| *known == prefix)
            .map(|(_, dists)| (len, *dists))
    });
    let namespace = namespace_distribution(&parts);
    let mut names: Vec<String> = Vec::new();
    match (known, namespace) {
        (Some((len, dists)), Some((specificity, name))) if specificity > len => {
            names.push(name);
            names.extend(dists.iter().map(|dist| dist.to_string()));
        }
        (known, namespace) => {
            if let Some((_, dists)) = known {
                names.extend(dists.iter().map(|dist| dist.to_string()));
            }
            names.extend(namespace.map(|(_, name)| name));
        }
    }
    // The name itself and the usual spellings around it (`python-X`, `pyX`, `X-python`),
    // for each dotted prefix (`ruamel.yaml` is `ruamel-yaml`): a declared spelling
    // covers the import, so an unusual name never becomes a false finding.
    for len in 1..=parts.len().min(4) {
        let joined = parts[..len].join("-");
        names.push(format!("python-{joined}"));
        names.push(format!("py{joined}"));
        names.push(format!("py-{joined}"));
        names.push(format!("{joined}-python"));
        if let Some(base) = strip_api_version(&joined) {
            names.push(base.to_string());
        }
        names.push(joined);
    }
    // The bare name is the usual distribution when nothing else is known.
    if known.is_none() && namespace_distribution(&parts).is_none() {
        names.insert(0, parts[0].to_string());
    }
    let mut seen = std::collections::HashSet::new();
    names
        .iter()
        .filter_map(|name| PackageName::new(name).ok())
        .filter(|name| seen.insert(name.clone()))
        .collect()
}

/// `pubsub_v1` → `pubsub`: versioned API modules of one distribution.
fn strip_api_version(name: &str) -> Option<&str> {
    let (base, version) = name.rsplit_once("_v")?;
    (!base.is_empty() && !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()))
        .then_some(base)
}

/// Airflow provider packages named by two components (`airflow.providers.cncf.kubernetes`
/// is `apache-airflow-providers-cncf-kubernetes`).
const TWO_PART_PROVIDERS: &[&str] = &["apache", "atlassian", "cncf", "common", "dbt", "microsoft"];

/// `google.cloud.storage.blob` → `google-cloud-storage`, with how many components of the
/// import it names.
fn namespace_distribution(parts: &[&str]) -> Option<(usize, String)> {
    let &(namespace, width, prefix) = NAMESPACES
        .iter()
        .filter(|(ns, _, _)| {
            let ns_parts = ns.split('.').count();
            parts.len() > ns_parts && parts[..ns_parts].join(".") == *ns
        })
        .max_by_key(|(ns, _, _)| ns.len())?;
    let widened = namespace == "airflow.providers"
        && parts
            .get(2)
            .is_some_and(|group| TWO_PART_PROVIDERS.contains(group));
    let width = (width + usize::from(widened)).min(parts.len());
    let mut picked: Vec<&str> = parts[..width].to_vec();
    if let Some(last) = picked.last_mut()
        && let Some(base) = strip_api_version(last)
    {
        *last = base;
    }
    Some((width, format!("{prefix}{}", picked.join("-"))))
}

/// Whether `name` (normalized) is a plugin distribution that only runs inside its host,
/// which then counts as declared: a DAG folder lists the Airflow providers its image
/// lacks, never Airflow itself.
pub(crate) fn implies_host(name: &str, host: &str) -> bool {
    (host == "apache-airflow" && name.starts_with("apache-airflow-providers-"))
        || stubs_cover(name, host)
}

/// Type stubs declared with extras (`boto3-stubs[s3,sqs]`) bring the per-service stub
/// packages (`mypy-boto3-s3`), which are only ever imported for type checking.
fn stubs_cover(name: &str, dist: &str) -> bool {
    [
        ("boto3-stubs", "mypy-boto3-"),
        ("types-boto3", "types-boto3-"),
        ("types-aiobotocore", "types-aiobotocore-"),
        ("types-aioboto3", "types-aiobotocore-"),
    ]
    .iter()
    .any(|(stubs, prefix)| name == *stubs && dist.starts_with(prefix))
}

/// Distributions commonly imported while only a package depending on them is declared
/// (for the message: "only installed as a dependency of `boto3`"). `*` ends a prefix.
const DEPENDED_ON_BY: &[(&str, &[&str])] = &[
    ("anyio", &["httpx", "starlette", "fastapi"]),
    (
        "botocore",
        &["boto3", "s3transfer", "awscli", "aiobotocore"],
    ),
    ("certifi", &["requests", "httpx"]),
    ("charset-normalizer", &["requests"]),
    ("click", &["flask", "typer", "uvicorn"]),
    (
        "cryptography",
        &["paramiko", "pyopenssl", "msal", "azure-identity"],
    ),
    (
        "google-api-core",
        &["google-cloud-*", "google-api-python-client"],
    ),
    (
        "google-auth",
        &[
            "google-cloud-*",
            "google-api-core",
            "google-api-python-client",
        ],
    ),
    ("httpcore", &["httpx"]),
    ("idna", &["requests", "httpx"]),
    ("invoke", &["fabric"]),
    ("itsdangerous", &["flask"]),
    ("jinja2", &["flask"]),
    ("jmespath", &["boto3", "botocore"]),
    ("kombu", &["celery"]),
    ("markupsafe", &["jinja2"]),
    ("numpy", &["pandas"]),
    ("paramiko", &["fabric"]),
    (
        "protobuf",
        &["google-cloud-*", "google-api-core", "grpcio-tools"],
    ),
    ("pydantic", &["fastapi"]),
    (
        "python-dateutil",
        &["botocore", "boto3", "pandas", "kubernetes"],
    ),
    ("pyyaml", &["kubernetes"]),
    (
        "requests",
        &[
            "kubernetes",
            "docker",
            "python-gitlab",
            "pygithub",
            "hvac",
            "apache-airflow-providers-*",
        ],
    ),
    ("s3transfer", &["boto3"]),
    ("six", &["kubernetes", "python-dateutil"]),
    ("starlette", &["fastapi"]),
    ("typing-extensions", &["pydantic"]),
    (
        "urllib3",
        &["requests", "botocore", "boto3", "kubernetes", "docker"],
    ),
    ("werkzeug", &["flask"]),
];

/// A declared distribution that usually brings `dist` in as its own dependency.
pub(crate) fn declared_dependent<'a>(
    dist: &PackageName,
    declared: impl IntoIterator<Item = &'a PackageName>,
) -> Option<&'a PackageName> {
    let (_, dependents) = DEPENDED_ON_BY
        .iter()
        .find(|(name, _)| *name == dist.as_str())?;
    let mut declared: Vec<&PackageName> = declared.into_iter().collect();
    declared.sort();
    dependents.iter().find_map(|dependent| {
        declared
            .iter()
            .copied()
            .find(|name| match dependent.strip_suffix('*') {
                Some(prefix) => name.as_str().starts_with(prefix),
                None => name.as_str() == *dependent,
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(import: &str) -> String {
        distributions(import)
            .first()
            .map(|name| name.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn import_names_map_to_their_distributions() {
        assert_eq!(first("yaml"), "pyyaml");
        assert_eq!(first("jwt"), "pyjwt");
        assert_eq!(first("google.cloud.storage"), "google-cloud-storage");
        assert_eq!(first("google.cloud.storage.blob"), "google-cloud-storage");
        assert_eq!(first("google.cloud.bigquery"), "google-cloud-bigquery");
        assert_eq!(first("google.cloud.pubsub_v1"), "google-cloud-pubsub");
        assert_eq!(first("google.protobuf.json_format"), "protobuf");
        assert_eq!(
            first("googleapiclient.discovery"),
            "google-api-python-client"
        );
        assert_eq!(first("azure.identity"), "azure-identity");
        assert_eq!(first("azure.mgmt.compute"), "azure-mgmt-compute");
        assert_eq!(first("azure.storage.blob"), "azure-storage-blob");
        assert_eq!(first("dateutil.parser"), "python-dateutil");
        assert_eq!(first("OpenSSL"), "pyopenssl");
        assert_eq!(first("boto3"), "boto3");
        assert_eq!(first("pulumi_aws"), "pulumi-aws");
        assert_eq!(first("ruamel.yaml"), "ruamel-yaml");
        assert_eq!(
            first("airflow.providers.amazon.aws.hooks.s3"),
            "apache-airflow-providers-amazon"
        );
        assert_eq!(first("airflow.operators.bash"), "apache-airflow");
        assert_eq!(first("samtranslator.translator"), "aws-sam-translator");
        assert_eq!(first("cfnlint.api"), "cfn-lint");
        assert_eq!(first("antlr4.tree.Tree"), "antlr4-python3-runtime");
        assert_eq!(first("win32event"), "pywin32");
        assert_eq!(
            first("tests_common.test_utils.system_tests"),
            "apache-airflow-devel-common"
        );
        assert!(implies_host("boto3-stubs", "mypy-boto3-s3"));
        assert!(!implies_host("boto3", "mypy-boto3-s3"));
        assert_eq!(
            first("airflow.providers.cncf.kubernetes.operators.pod"),
            "apache-airflow-providers-cncf-kubernetes"
        );
    }

    #[test]
    fn every_usual_spelling_covers_an_import() {
        let psycopg2: Vec<String> = distributions("psycopg2")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(psycopg2.contains(&"psycopg2-binary".to_string()));
        assert!(psycopg2.contains(&"psycopg2".to_string()));
        let provider: Vec<String> = distributions("airflow.providers.amazon.aws")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(provider.contains(&"apache-airflow-providers-amazon".to_string()));
        let snowflake: Vec<String> = distributions("snowflake.connector")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(snowflake.contains(&"snowflake-connector-python".to_string()));
        assert!(distributions("google").is_empty());
        let declared = [
            PackageName::new("boto3").expect("name"),
            PackageName::new("google-cloud-storage").expect("name"),
        ];
        let parent = |dist: &str| {
            declared_dependent(&PackageName::new(dist).expect("name"), &declared)
                .map(ToString::to_string)
        };
        assert_eq!(parent("botocore").as_deref(), Some("boto3"));
        assert_eq!(
            parent("google-auth").as_deref(),
            Some("google-cloud-storage")
        );
        assert_eq!(parent("stripe"), None);
        assert!(distributions("azure").is_empty());
    }
}
