//! `maillage serve`: its API against a server on 127.0.0.1 (an ephemeral port), and the
//! page in a real browser (headless Chromium through chromedriver).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::sample_dir;

/// A server process, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Server {
    /// Starts `maillage [--data DATA] serve --bind 127.0.0.1:0 --runs RUNS EXTRA…` and reads
    /// the address it prints.
    pub fn start(data: Option<&Path>, runs: &Path, extra: &[&str]) -> Self {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("maillage"));
        if let Some(dir) = data {
            cmd.arg("--data").arg(dir);
        }
        let mut child = cmd
            .args(["serve", "--bind", "127.0.0.1:0", "--runs"])
            .arg(runs)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("the address printed")
            .trim_end_matches('/')
            .to_owned();
        Self { child, url }
    }

    /// GET, as JSON (any status).
    pub fn get(&self, path: &str) -> (u16, Value) {
        answer(ureq::get(&format!("{}{path}", self.url)).call())
    }

    /// POST a body with a content type.
    pub fn post(&self, path: &str, content_type: &str, body: &str) -> (u16, Value) {
        answer(ureq::post(&format!("{}{path}", self.url)).set("Content-Type", content_type).send_string(body))
    }

    /// GET, the bytes.
    pub fn bytes(&self, path: &str) -> Vec<u8> {
        let response = ureq::get(&format!("{}{path}", self.url)).call().unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).unwrap();
        bytes
    }

    /// Waits for run `id` to be final; its JSON.
    pub fn wait(&self, id: &str) -> Value {
        let start = Instant::now();
        loop {
            let (status, run) = self.get(&format!("/api/runs/{id}"));
            assert_eq!(status, 200, "{run}");
            if ["done", "failed", "cancelled"].contains(&run["state"].as_str().unwrap()) {
                return run;
            }
            assert!(start.elapsed() < Duration::from_mins(10), "run {id} still {}", run["state"]);
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(r: Result<ureq::Response, ureq::Error>) -> (u16, Value) {
    let response = match r {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = response.status();
    (status, response.into_json().unwrap_or(Value::Null))
}

const SCENARIO: &str = "name = \"essai API\"\nposts = 8\n[travel]\nbound_min = 25\n";

fn summary_without_run_details(mut s: Value) -> Value {
    for key in ["seconds", "reproduce"] {
        s.as_object_mut().unwrap().remove(key);
    }
    s
}

#[test]
fn a_run_is_followed_to_the_end_and_gives_what_the_command_line_gives() {
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(Some(&sample_dir()), &work.path().join("runs"), &[]);
    let (status, created) = server.post("/api/runs", "text/plain", SCENARIO);
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let run = server.wait(&id);
    assert_eq!(run["state"], "done", "{run}");

    // The same scenario through the command line.
    let file = work.path().join("s.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let cli = work.path().join("cli");
    crate::util::cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--scenario"])
        .arg(&file)
        .arg("--out")
        .arg(&cli)
        .assert()
        .success();
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(cli.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary_without_run_details(run["summary"].clone()), summary_without_run_details(expected));
    for name in ["plan.csv", "units.csv", "departements.csv"] {
        assert_eq!(
            server.bytes(&format!("/api/runs/{id}/files/{name}")),
            std::fs::read(cli.join(name)).unwrap(),
            "{name}"
        );
    }

    // The events of a finished run: one, final.
    let events = String::from_utf8(server.bytes(&format!("/api/runs/{id}/events"))).unwrap();
    let data: Vec<Value> = events
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| serde_json::from_str(d.trim()).unwrap())
        .collect();
    assert_eq!(data.last().unwrap()["state"], "done", "{events}");

    // A département's extract: its files, the CSVs cut to its rows.
    let zip = server.bytes(&format!("/api/runs/{id}/departements/69.zip"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = archive.file_names().map(|n| n.unwrap().into_owned()).collect();
    for name in [
        "69/report.html",
        "69/sites.geojson",
        "69/communes.geojson",
        "69/plan.csv",
        "69/units.csv",
        "69/departements.csv",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let mut plan = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("69/plan.csv").unwrap(), &mut plan).unwrap();
    let rows: Vec<&str> = plan.lines().skip(1).collect();
    let cli_rows: Vec<String> = std::fs::read_to_string(cli.join("plan.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| l.contains(",69,"))
        .map(str::to_owned)
        .collect();
    assert_eq!(rows, cli_rows, "the extract's sites are the run's sites of 69");
    let (status, _) = server.get(&format!("/api/runs/{id}/departements/99.zip"));
    assert_eq!(status, 400, "a département the data does not hold");
}

#[test]
fn a_bad_value_is_answered_with_the_command_lines_message_field_by_field() {
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(Some(&sample_dir()), &work.path().join("runs"), &[]);
    let (status, body) = server.post("/api/runs", "application/json", r#"{"posts": 0, "travel": {"bound_min": 0}}"#);
    assert_eq!(status, 400);
    let errors = body["errors"].as_array().unwrap();
    let keys: Vec<&str> = errors.iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["posts", "travel.bound_min"], "each refused value, field by field");
    let cli =
        crate::util::cli_command().arg("--data").arg(sample_dir()).args(["plan", "--bound", "0"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(stderr.contains(errors[1]["message"].as_str().unwrap()), "{stderr} vs {}", errors[1]["message"]);
    // TOML the same way, and a key the specification does not know.
    let (status, body) = server.post("/api/runs", "text/plain", "[travel]\nbound_min = 0\n");
    assert_eq!((status, body["errors"][0]["key"].as_str()), (400, Some("travel.bound_min")));
    let (status, body) = server.post("/api/runs", "text/plain", "postes = 3\n");
    assert_eq!(status, 400);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("postes"), "{body}");
    // A path on the server is never taken from the web.
    let (status, body) = server.post("/api/runs", "text/plain", "[need]\nfile = \"/etc/passwd\"\n");
    assert_eq!((status, body["errors"][0]["key"].as_str()), (400, Some("need.file")));
    assert_eq!(server.get("/api/runs").1["runs"].as_array().unwrap().len(), 0, "no run made");
}

#[test]
fn unknown_runs_and_traversals_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(Some(&sample_dir()), &work.path().join("runs"), &[]);
    assert_eq!(server.get("/api/runs/1234-0001").0, 404);
    assert_eq!(server.get("/api/runs/..%2F..%2Fetc/files/passwd").0, 400);
    let (_, created) = server.post("/api/runs", "text/plain", "posts = 4\n");
    let id = created["id"].as_str().unwrap();
    server.wait(id);
    for name in ["..%2Fscenario.toml", "..%2F..%2Fetc%2Fpasswd", "run.json", "secret.txt"] {
        assert_eq!(server.get(&format!("/api/runs/{id}/files/{name}")).0, 400, "{name}");
    }
    assert_eq!(server.get(&format!("/api/runs/{id}/files/scenario.toml")).0, 200);
    assert_eq!(server.get(&format!("/api/runs/{id}/departements/..%2F..%2Fx.zip")).0, 400);
    assert_eq!(server.get("/api/compare?a=..&b=1").0, 400);
    assert_eq!(server.get("/api/compare?a=1&b=2").0, 404);
    assert_eq!(server.get("/api/no-such-route").0, 404);
    // A body over the limit: 413, or the connection closed before all of it was sent.
    let big = ureq::post(&format!("{}/api/runs", server.url))
        .set("Content-Type", "text/plain")
        .send_string(&"#".repeat(2 << 20));
    match big {
        Err(ureq::Error::Status(status, _)) => assert_eq!(status, 413),
        Err(ureq::Error::Transport(_)) => {}
        Ok(r) => panic!("a 2 MiB body taken: {}", r.status()),
    }
    assert_eq!(server.get("/api/runs").1["runs"].as_array().unwrap().len(), 1, "only the first run");
}

#[test]
fn a_non_loopback_bind_needs_a_token_that_every_request_carries() {
    let work = tempfile::tempdir().unwrap();
    let out = crate::util::cli_command()
        .arg("--data")
        .arg(sample_dir())
        .env_remove("MAILLAGE_TOKEN")
        .args(["serve", "--bind", "0.0.0.0:0", "--runs"])
        .arg(work.path().join("runs"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a loopback address"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = "a-token-of-some-length";
    let server = Server::start(Some(&sample_dir()), &work.path().join("runs"), &["--token", token]);
    assert_eq!(server.get("/api/options").0, 401);
    assert_eq!(server.get(&format!("/api/options?token={token}")).0, 200);
    let with_header =
        ureq::get(&format!("{}/api/runs", server.url)).set("Authorization", &format!("Bearer {token}")).call();
    assert_eq!(with_header.unwrap().status(), 200);
}

#[test]
fn a_restart_lists_the_earlier_runs() {
    let work = tempfile::tempdir().unwrap();
    let runs = work.path().join("runs");
    let id = {
        let server = Server::start(Some(&sample_dir()), &runs, &[]);
        let (_, created) = server.post("/api/runs", "text/plain", "name = \"avant\"\nposts = 4\n");
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(server.wait(&id)["state"], "done");
        id
    };
    let server = Server::start(Some(&sample_dir()), &runs, &[]);
    let (_, list) = server.get("/api/runs");
    let run =
        list["runs"].as_array().unwrap().iter().find(|r| r["id"] == id.as_str()).expect("the earlier run").clone();
    assert_eq!((run["state"].as_str(), run["name"].as_str()), (Some("done"), Some("avant")));
    assert_eq!(server.get(&format!("/api/runs/{id}/files/plan.csv")).0, 200);
    // Removing it removes its folder.
    assert_eq!(ureq::delete(&format!("{}/api/runs/{id}", server.url)).call().unwrap().status(), 200);
    assert!(!runs.join(&id).exists());
    assert_eq!(server.get(&format!("/api/runs/{id}")).0, 404);
}

#[test]
fn a_failed_run_shows_its_error_and_harms_no_other_and_a_run_can_be_cancelled() {
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(Some(&sample_dir()), &work.path().join("runs"), &[]);
    // Valid values, an infeasible scenario: only solving finds out.
    let (status, bad) = server.post("/api/runs", "text/plain", "posts = 10\n[limits.floors]\n69 = 8\n972 = 5\n");
    assert_eq!(status, 201, "{bad}");
    let (_, good) = server.post("/api/runs", "text/plain", "posts = 6\n");
    let failed = server.wait(bad["id"].as_str().unwrap());
    assert_eq!(failed["state"], "failed");
    let error = failed["error"].as_str().unwrap();
    assert!(error.contains("infeasible scenario") && error.contains("13 posts"), "{error}");
    assert_eq!(server.wait(good["id"].as_str().unwrap())["state"], "done", "the next run is not harmed");
    // A national run (the data the binary carries) cancelled while it loads.
    let national = Server::start(None, &work.path().join("national"), &[]);
    let (_, run) = national.post("/api/runs", "text/plain", "name = \"annulé\"\n");
    let id = run["id"].as_str().unwrap();
    assert_eq!(ureq::delete(&format!("{}/api/runs/{id}", national.url)).call().unwrap().status(), 200);
    assert_eq!(national.wait(id)["state"], "cancelled");
    assert!(!work.path().join("national").join(id).join("out/summary.json").exists(), "no outputs");
}

#[test]
fn a_frontier_run_sweeps_its_posts_and_a_bad_sweep_gets_the_command_lines_message() {
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(Some(&sample_dir()), &work.path().join("runs"), &[]);
    let (status, created) = server.post("/api/runs?sweep=posts&range=2:6:2", "text/plain", "name = \"courbe\"\n");
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let run = server.wait(id);
    assert_eq!(run["state"], "done", "{run}");
    let csv = String::from_utf8(server.bytes(&format!("/api/runs/{id}/files/frontier.csv"))).unwrap();
    let posts: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(posts, ["2", "4", "6"], "one plan per point");
    let svg = ureq::get(&format!("{}/api/runs/{id}/files/frontier.svg", server.url)).call().unwrap();
    assert_eq!(svg.content_type(), "image/svg+xml");
    let (status, body) = server.post("/api/runs?sweep=posts&range=6:2:2", "text/plain", "");
    assert_eq!(status, 400);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("expected FROM:TO:STEP with FROM ≤ TO and STEP > 0"), "{message}");
    let (status, body) = server.post("/api/runs?sweep=posts&range=2:6:2", "text/plain", "[outputs]\npdf = true\n");
    assert_eq!(status, 400, "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("`outputs.pdf` (--pdf)"), "{body}");
}

#[test]
fn a_sensitivity_run_writes_its_variants_and_refuses_what_sensitivity_refuses() {
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(Some(&sample_dir()), &work.path().join("runs"), &[]);
    let scenario = "name = \"sensibilité\"\nposts = 12\nbudget_eur = 600000\n";
    let (status, created) = server.post("/api/runs?analysis=sensitivity", "text/plain", scenario);
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let run = server.wait(id);
    assert_eq!(run["state"], "done", "{run}");
    assert_eq!(run["analysis"], "sensitivity");
    let csv = String::from_utf8(server.bytes(&format!("/api/runs/{id}/files/sensitivity.csv"))).unwrap();
    let variants: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(variants.len(), 8, "{csv}");
    assert_eq!(variants[0], "base");
    // The same file as the command line's, but for the seconds.
    let out = work.path().join("cli");
    let file = work.path().join("s.toml");
    std::fs::write(&file, scenario).unwrap();
    crate::util::cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["sensitivity", "--scenario"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let web = server.bytes(&format!("/api/runs/{id}/files/stability.csv"));
    assert_eq!(web, std::fs::read(out.join("stability.csv")).unwrap());
    for (query, body, needle) in [
        ("?analysis=sensitivity", "[outputs]\npdf = true\n", "`outputs.pdf` (--pdf)"),
        ("?analysis=sensitivity&sweep=posts&range=2:6:2", "", "drop the sweep"),
        ("?analysis=everything", "", "expected sensitivity"),
    ] {
        let (status, answer) = server.post(&format!("/api/runs{query}"), "text/plain", body);
        assert_eq!(status, 400, "{query}: {answer}");
        assert!(answer["errors"][0]["message"].as_str().unwrap().contains(needle), "{query}: {answer}");
    }
}

#[test]
fn options_give_every_key_of_the_specification_with_its_default_and_range() {
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(Some(&sample_dir()), &work.path().join("runs"), &[]);
    let (_, body) = server.get("/api/options");
    let options = body["options"].as_array().unwrap();
    assert_eq!(options.len(), maillage::spec::FLAGS.len());
    let defaults = serde_json::to_value(maillage::spec::PlanSpec::default()).unwrap();
    for o in options {
        let key = o["key"].as_str().unwrap();
        let default = key.split('.').try_fold(&defaults, |v, k| v.get(k)).cloned().unwrap_or(Value::Null);
        assert_eq!(o["default"], default, "{key}");
        assert!(!o["help"].as_str().unwrap().is_empty(), "{key} has its --help text");
        assert_ne!(o["label"].as_str(), Some(key), "{key} has its French label");
    }
    let bound = options.iter().find(|o| o["key"] == "travel.bound_min").unwrap();
    assert_eq!(
        (bound["min"].as_f64(), bound["max"].as_f64(), bound["min_excluded"].as_bool()),
        (Some(0.0), Some(1440.0), Some(true))
    );
    let objective = options.iter().find(|o| o["key"] == "objective").unwrap();
    assert!(objective["choices"].as_array().unwrap().iter().any(|c| c == "min-posts"));
}

/// chromedriver on a free port, killed when dropped.
struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<Driver> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > Duration::from_secs(20) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Driver(child, port))
}

/// A headless Chromium session through the chromedriver on `port`.
async fn session(port: u16) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400"]}),
    );
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("chromedriver session")
}

/// Where screenshots go (`MAILLAGE_SCREENSHOTS`), if anywhere.
fn screenshot_dir() -> Option<PathBuf> {
    std::env::var_os("MAILLAGE_SCREENSHOTS").map(PathBuf::from)
}

#[test]
fn the_page_runs_a_scenario_maps_it_compares_and_hands_out_a_zip() {
    let Some(driver) = chromedriver() else {
        eprintln!("skipped: no chromedriver (apt-get install chromium-driver)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(Some(&sample_dir()), &work.path().join("runs"), &[]);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(drive(&server, driver.1)).unwrap();
}

async fn drive(server: &Server, port: u16) -> Result<(), fantoccini::error::CmdError> {
    use fantoccini::Locator;
    let client = session(port).await;
    let shot = |name: &'static str| {
        let client = client.clone();
        async move {
            if let Some(dir) = screenshot_dir() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(name), client.screenshot().await.unwrap()).unwrap();
            }
        }
    };
    client.goto(&format!("{}/", server.url)).await?;
    // The form, built from /api/options: a small area, then a bad value shown by its field.
    client.wait().for_element(Locator::Css("#opt-posts")).await?;
    client.find(Locator::Css("#opt-posts")).await?.send_keys("0").await?;
    client.find(Locator::Css("#start")).await?.click().await?;
    let error = client.wait().for_element(Locator::Css(".field.bad[data-key='posts'] .err")).await?;
    assert!(error.text().await?.contains("`posts` (--posts) = 0"), "the command line's message by the field");
    shot("form.png").await;
    client.find(Locator::Css("#opt-posts")).await?.clear().await?;
    client.find(Locator::Css("#opt-posts")).await?.send_keys("8").await?;
    client.find(Locator::Css("#opt-name")).await?.send_keys("Essai navigateur").await?;
    client.find(Locator::Css("#opt-area-within_departements")).await?.send_keys("69").await?;
    client.find(Locator::Css("#start")).await?.click().await?;
    // The run, followed live to its end, then its map.
    let done = client
        .wait()
        .at_most(Duration::from_mins(5))
        .for_element(Locator::Css("#runs tr[data-state='done'] button"))
        .await?;
    shot("runs.png").await;
    done.click().await?;
    let map = client.wait().for_element(Locator::Css("#map[data-communes]")).await?;
    let communes: usize = map.attr("data-communes").await?.unwrap().parse().unwrap();
    let sites: usize = map.attr("data-sites").await?.unwrap().parse().unwrap();
    let (_, runs) = server.get("/api/runs");
    let id = runs["runs"][0]["id"].as_str().unwrap().to_owned();
    let units = String::from_utf8(server.bytes(&format!("/api/runs/{id}/files/units.csv"))).unwrap();
    let metro_units = units.lines().skip(1).filter(|l| l.split(',').nth(3) == Some("metro")).count();
    let plan = String::from_utf8(server.bytes(&format!("/api/runs/{id}/files/plan.csv"))).unwrap();
    assert_eq!(communes, 24, "the metropolitan communes of the sample drawn");
    assert!(metro_units <= communes, "the run's communes are among those drawn");
    assert_eq!(sites, plan.lines().count() - 1, "every site with posts drawn");
    shot("result.png").await;
    // The prefecture's zip, downloaded by the page's own link.
    let size = client
        .execute_async(
            "const done = arguments[0]; document.querySelector('#export-dep').value = '69'; document.querySelector('#export-dep').dispatchEvent(new Event('change'));\
             fetch(document.querySelector('#export').href).then(r => r.arrayBuffer()).then(b => { const v = new Uint8Array(b); done([v.length, v[0], v[1]]); });",
            vec![],
        )
        .await?;
    assert_eq!(size[1], 0x50, "a zip (PK): {size}");
    assert!(size[0].as_u64().unwrap() > 1000, "{size}");
    // A second run by the API, then the comparison view.
    let (_, created) = server.post(
        "/api/runs",
        "text/plain",
        "name = \"douze\"\nposts = 12\n[area]\nwithin_departements = [\"69\"]\n",
    );
    server.wait(created["id"].as_str().unwrap());
    client.execute("location.reload()", vec![]).await?;
    client.wait().for_element(Locator::Css("#opt-posts")).await?;
    client.find(Locator::Css("nav button[data-tab='compare']")).await?.click().await?;
    client.wait().for_element(Locator::Css("#cmp-a option:nth-child(2)")).await?;
    client.execute("document.querySelector('#cmp-b').selectedIndex = 1", vec![]).await?;
    client.find(Locator::Css("#cmp-go")).await?.click().await?;
    let cmp = client.wait().for_element(Locator::Css("#cmp-map[data-communes]")).await?;
    assert_eq!(cmp.attr("data-communes").await?.as_deref(), Some("24"));
    let rows = client.find_all(Locator::Css("#cmp-headline tbody tr")).await?;
    assert!(rows.len() >= 5, "the headline measures side by side");
    shot("compare.png").await;
    // A frontier run, its curves and its table.
    let (_, created) = server.post(
        "/api/runs?sweep=posts&range=2:10:2",
        "text/plain",
        "name = \"courbe\"\n[area]\nwithin_departements = [\"69\"]\n",
    );
    let id = created["id"].as_str().unwrap().to_owned();
    server.wait(&id);
    client.execute("location.reload()", vec![]).await?;
    client.wait().for_element(Locator::Css("#opt-posts")).await?;
    client.find(Locator::Css("nav button[data-tab='runs']")).await?.click().await?;
    client.wait().for_element(Locator::Css(&format!("#runs tr[data-id='{id}'] button"))).await?.click().await?;
    client.wait().for_element(Locator::Css("#frontier-table tbody tr")).await?;
    let points = client.find_all(Locator::Css("#frontier-table tbody tr")).await?.len();
    assert_eq!(points, 5, "2, 4, 6, 8 and 10 posts");
    let drawn = client
        .execute("const i = document.querySelector('#frontier-svg'); return i.complete && i.naturalWidth > 0;", vec![])
        .await?;
    assert_eq!(drawn, serde_json::json!(true), "the curves shown");
    shot("frontier.png").await;
    client.close().await
}

/// The national map's first drawing, measured (not asserted): `cargo test --release --test
/// integration serve::national -- --ignored --nocapture`, with `MAILLAGE_SCREENSHOTS=DIR`
/// for the national and the Nord screenshots. It solves the national default plan first.
#[test]
#[ignore = "a national plan and a browser: run by hand to measure"]
fn national_map_first_drawing() {
    let Some(driver) = chromedriver() else {
        eprintln!("skipped: no chromedriver (apt-get install chromium-driver)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(None, &work.path().join("runs"), &[]);
    let (_, created) = server.post("/api/runs", "text/plain", "name = \"national\"\n");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(server.wait(&id)["state"], "done");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(measure(&server, driver.1)).unwrap();
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let rss = status.lines().filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM")).collect::<Vec<_>>();
    eprintln!("server memory: {rss:?}");
}

async fn measure(server: &Server, port: u16) -> Result<(), fantoccini::error::CmdError> {
    use fantoccini::Locator;
    let client = session(port).await;
    client.goto(&format!("{}/", server.url)).await?;
    client.find(Locator::Css("nav button[data-tab='runs']")).await?.click().await?;
    let view = client.wait().for_element(Locator::Css("#runs tr[data-state='done'] button")).await?;
    let start = Instant::now();
    view.click().await?;
    let map = client.wait().at_most(Duration::from_mins(1)).for_element(Locator::Css("#map[data-communes]")).await?;
    let elapsed = start.elapsed();
    let communes = map.attr("data-communes").await?.unwrap_or_default();
    let draw = map.attr("data-ms").await?.unwrap_or_default();
    eprintln!(
        "national map: {communes} communes drawn, first map {:.2} s after the click (drawing {draw} ms)",
        elapsed.as_secs_f64()
    );
    if let Some(dir) = screenshot_dir() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("national.png"), client.screenshot().await?).unwrap();
        client
            .execute(
                "const z = document.querySelector('#zoom-dep'); z.value = '59'; z.dispatchEvent(new Event('change'));",
                vec![],
            )
            .await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        std::fs::write(dir.join("nord.png"), client.screenshot().await?).unwrap();
    }
    client.close().await
}
