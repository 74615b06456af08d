//! The wheel/zip readers: the index client's in-memory METADATA reader (central
//! directory, zip64, deflate) and the installer's verified unpack of a wheel file.
use std::sync::OnceLock;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime")
    })
}

fn main() {
    let (Ok(name), Ok(version)) = (
        skua_types::PackageName::new("demo"),
        "1.0".parse::<pep440_rs::Version>(),
    ) else {
        return;
    };
    afl::fuzz!(|data: &[u8]| {
        let _ = runtime().block_on(skua_index::fuzzing::wheel_metadata(data, &name, &version));
        let Ok(dir) = tempfile::tempdir() else {
            return;
        };
        let wheel = dir.path().join("demo-1.0-py3-none-any.whl");
        if std::fs::write(&wheel, data).is_ok() {
            let _ = skua_install::unpack_wheel(&wheel, &dir.path().join("unpacked"));
        }
    });
}
