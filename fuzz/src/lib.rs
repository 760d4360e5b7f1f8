//! Fuzz targets for ocikit (`cargo fuzz`, see scripts/fuzz.sh). The target bodies live in
//! [`targets`] so that `cargo test` can replay crash regressions without libFuzzer; this crate
//! adds the one target that needs the wasm binding's tar reader.

pub mod targets;

/// An OCI layout read from a tar archive exactly as the npm package's `readLayoutTar` reads it,
/// then verified by the core.
pub fn layout_tar(data: &[u8]) {
    let files = ocikit_wasm::layout::read_tar(data);
    let mut source = targets::MapSource(
        files
            .iter()
            .map(|(path, bytes)| (path.clone(), bytes.to_vec()))
            .collect(),
    );
    let report = ocikit_core::layout::verify(&mut source);
    targets::check_layout_report(&report);
    for (path, bytes) in &files {
        let start = bytes.as_ptr() as usize;
        let archive = data.as_ptr() as usize;
        assert!(
            start >= archive && start + bytes.len() <= archive + data.len(),
            "{path}: file bytes lie inside the archive"
        );
        assert!(!path.starts_with("./"), "{path}");
    }
}
