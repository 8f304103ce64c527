//! `report.pdf`: the report printed to A4 by headless Chromium (its print stylesheet lays
//! out the pages), when Chromium is installed.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Environment variable naming the Chromium (or Chrome) binary to print with.
pub const CHROMIUM_ENV: &str = "MAILLAGE_CHROMIUM";

/// Binaries looked for on `PATH`, in order.
const NAMES: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/// Longest a print may take before Chromium is stopped.
const TIMEOUT: Duration = Duration::from_mins(5);

/// What to do when no Chromium is found.
pub const INSTALL_HINT: &str = "a PDF of the report is printed by Chromium, which is not installed: install the Debian package `chromium` (apt-get install chromium), or set MAILLAGE_CHROMIUM to a Chromium or Chrome binary";

/// The Chromium to print with: `MAILLAGE_CHROMIUM` when set (it must exist), else the first
/// of `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable` on `PATH`.
#[must_use]
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(CHROMIUM_ENV) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs).flat_map(|dir| NAMES.map(|n| dir.join(n))).find(|p| p.is_file())
}

/// Prints `html` to `pdf` with `chromium`, its profile in `scratch` (a folder that is
/// removed after); the PDF's dates are fixed so that its bytes depend only on the page.
///
/// # Errors
/// Chromium fails, runs over five minutes, or writes no PDF: its last words are in the error.
pub fn print_to_pdf(chromium: &Path, html: &Path, pdf: &Path, scratch: &Path) -> io::Result<()> {
    let html = std::path::absolute(html)?;
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-pdf-header-footer"])
        .arg("--no-first-run")
        .arg("--disable-crash-reporter")
        .arg(format!("--user-data-dir={}", scratch.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&html))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("starting {}: {e}", chromium.display())))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(scratch);
            return Err(io::Error::other(format!("{} printed nothing in {} s", chromium.display(), TIMEOUT.as_secs())));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut said = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut said);
    }
    let _ = std::fs::remove_dir_all(scratch);
    let bytes = std::fs::read(pdf).unwrap_or_default();
    if !status.success() || !bytes.starts_with(b"%PDF") {
        let last = said.lines().rev().take(3).collect::<Vec<_>>().join(" / ");
        return Err(io::Error::other(format!("{} did not print the report ({status}): {last}", chromium.display())));
    }
    std::fs::write(pdf, fixed_dates(bytes))
}

/// The PDF with its creation and modification dates set to a fixed instant, byte for byte
/// the same length (the cross-reference offsets stay right).
fn fixed_dates(mut bytes: Vec<u8>) -> Vec<u8> {
    for key in [&b"/CreationDate (D:"[..], &b"/ModDate (D:"[..]] {
        let mut from = 0;
        while let Some(at) = find(&bytes[from..], key).map(|i| from + i + key.len()) {
            let end = bytes[at..].iter().position(|&b| b == b')').map_or(at, |n| at + n);
            for (k, b) in bytes[at..end].iter_mut().enumerate() {
                // 2000-01-01 00:00:00, then zeros for any time zone.
                *b = b"20000101000000".get(k).copied().unwrap_or(if b.is_ascii_digit() { b'0' } else { *b });
            }
            from = end;
        }
    }
    bytes
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `file://` URL of an absolute path, bytes outside the unreserved set percent-encoded.
fn file_url(path: &Path) -> String {
    use std::fmt::Write as _;
    use std::os::unix::ffi::OsStrExt;
    let mut url = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::{file_url, fixed_dates};

    #[test]
    fn file_urls_encode_what_a_url_cannot_hold() {
        assert_eq!(file_url(std::path::Path::new("/tmp/a b/é.html")), "file:///tmp/a%20b/%C3%A9.html");
    }

    #[test]
    fn pdf_dates_are_fixed_in_place() {
        let pdf = b"<< /CreationDate (D:20261203120000+00'00') /ModDate (D:20261203120001+00'00') >>".to_vec();
        let fixed = fixed_dates(pdf.clone());
        assert_eq!(fixed.len(), pdf.len());
        assert_eq!(fixed, b"<< /CreationDate (D:20000101000000+00'00') /ModDate (D:20000101000000+00'00') >>");
    }
}
