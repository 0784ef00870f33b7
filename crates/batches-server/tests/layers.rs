//! The product rules and the store know nothing of HTTP: they return their own errors
//! (`Refusal`, `StoreError`) and `src/error.rs` alone decides which response each one is.
//! So no file of `src/rules/` or `src/store/` names axum, a status code or `ApiError`.

use std::path::Path;

#[test]
fn rules_and_store_do_not_import_the_http_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut read = 0;
    for layer in ["rules", "store"] {
        for entry in std::fs::read_dir(src.join(layer)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            read += 1;
            for http in [
                "axum",
                "StatusCode",
                "ApiError",
                "crate::error",
                "crate::http",
            ] {
                assert!(
                    !text.contains(http),
                    "{} names {http}: return a Refusal or a StoreError and let \
                     src/error.rs map it",
                    path.display()
                );
            }
        }
    }
    assert!(read >= 10, "the rules and the store were read");
}
