//! Compiles the national data into the binary: each file of `data/` the tool reads is gzipped
//! into `OUT_DIR/embedded/` (files already gzipped are copied), and `OUT_DIR/embedded_files.rs`
//! lists them for `src/load/embedded.rs`. A binary copied anywhere then plans without `data/`.

use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::Path;

#[allow(dead_code)]
#[path = "src/load/data_files.rs"]
mod data_files;

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out_dir).join("embedded");
    fs::create_dir_all(&out).expect("creating OUT_DIR/embedded");
    println!("cargo:rerun-if-changed=src/load/data_files.rs");
    // (name, bytes, gzipped by this script), one a file, in the order of DATA_FILES.
    let mut table = String::from("[\n");
    for name in data_files::DATA_FILES {
        let source = Path::new("data").join(name);
        println!("cargo:rerun-if-changed={}", source.display());
        let bytes = fs::read(&source).unwrap_or_else(|e| panic!("reading {}: {e}", source.display()));
        let gzipped = Path::new(name).extension().is_some_and(|e| e == "gz");
        let stored = out.join(if gzipped { name.to_owned() } else { format!("{name}.gz") });
        if gzipped {
            fs::write(&stored, bytes).expect("copying a gzipped data file");
        } else {
            let file = fs::File::create(&stored).expect("creating an embedded file");
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
            gz.write_all(&bytes).expect("compressing a data file");
            gz.finish().expect("compressing a data file");
        }
        let _ = writeln!(
            table,
            "    ({name:?}, include_bytes!({:?}).as_slice(), {}),",
            stored.display().to_string(),
            !gzipped
        );
    }
    table.push(']');
    fs::write(Path::new(&out_dir).join("embedded_files.rs"), table).expect("writing the embedded table");
}
