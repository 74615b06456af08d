#[test]
fn show() {
    eprintln!("SSL_CERT_FILE={:?}", std::env::var("SSL_CERT_FILE"));
    let tmp = tempfile::tempdir().unwrap();
    let r = skua_index::IndexClient::builder(skua_index::Cache::new(tmp.path())).build();
    eprintln!("BUILD: {:?}", r.map(|_| ()));
}
