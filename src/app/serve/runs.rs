//! The runs: each a folder under `--runs` (`scenario.toml`, `run.json`, `out/` with the
//! outputs of `maillage plan`), solved by a `maillage plan` child process so that a failed
//! or cancelled run harms no other and frees its memory; at most `--jobs` at a time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::io::AsyncBufReadExt;
use tokio::sync::{Notify, Semaphore, broadcast};

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// Waiting for a slot.
    Queued,
    /// Being solved.
    Running,
    /// Finished; its outputs are in `out/`.
    Done,
    /// Stopped by an error (in `error`).
    Failed,
    /// Cancelled before it finished.
    Cancelled,
}

impl RunState {
    /// Whether the run will change no more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Cancelled)
    }
}

/// A run as `run.json` and the API give it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    /// Its identifier (digits and dashes).
    pub id: String,
    /// The scenario's name.
    pub name: String,
    /// Where it is.
    pub state: RunState,
    /// What it is doing (the command line's spinner text).
    pub stage: String,
    /// Stages passed so far (the progress a page shows).
    pub stages_done: u32,
    /// Seconds since the epoch when it was created, started, finished.
    pub created: u64,
    /// When it started.
    pub started: Option<u64>,
    /// When it finished.
    pub finished: Option<u64>,
    /// The error, as the command line printed it.
    pub error: Option<String>,
    /// `summary.json` once done.
    pub summary: Option<serde_json::Value>,
    /// Output files, once done.
    pub files: Vec<String>,
    /// A frontier run's sweep (`--posts 1000:6000:500`); a plan has none.
    #[serde(default)]
    pub sweep: Option<Vec<String>>,
    /// `sensitivity` for a run of `maillage sensitivity`; a plan or a frontier has none.
    #[serde(default)]
    pub analysis: Option<String>,
}

/// Every stage a plan goes through (the spinner's texts), for the progress bar.
pub const STAGES: u32 = 6;

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Whether `id` can name a run: digits and dashes only, so that no id reaches outside
/// the runs folder.
pub fn is_run_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

/// The runs and the slots to solve them.
pub struct Runs {
    dir: PathBuf,
    known: Mutex<BTreeMap<String, RunInfo>>,
    cancels: Mutex<BTreeMap<String, Arc<Notify>>>,
    slots: Arc<Semaphore>,
    /// The id of every run that changed.
    pub changes: broadcast::Sender<String>,
    /// `--data` for the children (none: the data the binary carries).
    data_dir: Option<PathBuf>,
    next: Mutex<u64>,
}

impl Runs {
    /// The runs already under `dir` (those a stop interrupted are marked failed), with
    /// `jobs` slots.
    pub fn open(dir: &Path, jobs: usize, data_dir: Option<PathBuf>) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let mut runs = BTreeMap::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path().join("run.json");
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let Ok(mut info) = serde_json::from_str::<RunInfo>(&text) else { continue };
            if !info.state.is_final() {
                info.state = RunState::Failed;
                info.error = Some("le serveur s'est arrêté avant la fin de ce calcul : relancez-le".to_owned());
                let _ = write_info(dir, &info);
            }
            runs.insert(info.id.clone(), info);
        }
        Ok(Self {
            dir: dir.to_owned(),
            known: Mutex::new(runs),
            cancels: Mutex::new(BTreeMap::new()),
            slots: Arc::new(Semaphore::new(jobs)),
            changes: broadcast::channel(256).0,
            data_dir,
            next: Mutex::new(0),
        })
    }

    /// The folder of run `id`.
    pub fn dir_of(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    /// The folder of the runs.
    pub fn root(&self) -> &Path {
        &self.dir
    }

    /// Every run, newest first.
    pub fn list(&self) -> Vec<RunInfo> {
        self.known.lock().map(|r| r.values().rev().cloned().collect()).unwrap_or_default()
    }

    /// Run `id`.
    pub fn get(&self, id: &str) -> Option<RunInfo> {
        self.known.lock().ok()?.get(id).cloned()
    }

    fn update(&self, id: &str, change: impl FnOnce(&mut RunInfo)) {
        let info = {
            let Ok(mut runs) = self.known.lock() else { return };
            let Some(info) = runs.get_mut(id) else { return };
            change(info);
            info.clone()
        };
        let _ = write_info(&self.dir, &info);
        let _ = self.changes.send(id.to_owned());
    }

    /// A new run of the scenario (TOML text, validated by the caller): its folder is made and
    /// it is queued.
    pub fn create(
        self: &Arc<Self>,
        name: &str,
        scenario_toml: &str,
        sweep: Option<Vec<String>>,
        analysis: Option<String>,
    ) -> std::io::Result<String> {
        let id = {
            let mut next = self.next.lock().map_err(|_| std::io::Error::other("run counter poisoned"))?;
            loop {
                *next += 1;
                let id = format!("{}-{:04}", now(), *next % 10_000);
                if !self.dir.join(&id).exists() {
                    break id;
                }
            }
        };
        let folder = self.dir.join(&id);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("scenario.toml"), scenario_toml)?;
        let info = RunInfo {
            id: id.clone(),
            name: name.to_owned(),
            state: RunState::Queued,
            stage: "en attente".to_owned(),
            stages_done: 0,
            created: now(),
            started: None,
            finished: None,
            error: None,
            summary: None,
            files: Vec::new(),
            sweep,
            analysis,
        };
        write_info(&self.dir, &info)?;
        if let Ok(mut runs) = self.known.lock() {
            runs.insert(id.clone(), info);
        }
        let cancel = Arc::new(Notify::new());
        if let Ok(mut c) = self.cancels.lock() {
            c.insert(id.clone(), cancel.clone());
        }
        let runs = Arc::clone(self);
        let run_id = id.clone();
        tokio::spawn(async move { runs.solve(&run_id, &cancel).await });
        Ok(id)
    }

    /// Cancels a queued or running run, or removes a finished one (its folder deleted).
    /// Returns false when there is no such run.
    pub fn delete(&self, id: &str) -> bool {
        let Some(info) = self.get(id) else { return false };
        if info.state.is_final() {
            if let Ok(mut runs) = self.known.lock() {
                runs.remove(id);
            }
            let _ = std::fs::remove_dir_all(self.dir.join(id));
            let _ = self.changes.send(id.to_owned());
        } else if let Some(cancel) = self.cancels.lock().ok().and_then(|c| c.get(id).cloned()) {
            cancel.notify_one();
        }
        true
    }

    /// Waits for a slot, then runs `maillage plan` on the run's scenario, following its stages.
    async fn solve(&self, id: &str, cancel: &Notify) {
        let permit = tokio::select! {
            permit = self.slots.clone().acquire_owned() => permit.ok(),
            () = cancel.notified() => None,
        };
        if permit.is_none() {
            self.update(id, |i| {
                i.state = RunState::Cancelled;
                "annulé".clone_into(&mut i.stage);
                i.finished = Some(now());
            });
            return;
        }
        self.update(id, |i| {
            i.state = RunState::Running;
            "démarrage".clone_into(&mut i.stage);
            i.started = Some(now());
        });
        let folder = self.dir.join(id);
        let (sweep, analysis) = self.get(id).map(|i| (i.sweep, i.analysis)).unwrap_or_default();
        let command = match (&analysis, &sweep) {
            (Some(_), _) => "sensitivity",
            (None, Some(_)) => "frontier",
            (None, None) => "plan",
        };
        let outcome = self.child(id, &folder, command, sweep.as_deref(), cancel).await;
        let (state, error) = match outcome {
            Ok(()) => (RunState::Done, None),
            Err(Outcome::Cancelled) => (RunState::Cancelled, None),
            Err(Outcome::Failed(e)) => (RunState::Failed, Some(e)),
        };
        let summary = (state == RunState::Done)
            .then(|| std::fs::read_to_string(folder.join("out/summary.json")).ok())
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok());
        let files = list_files(&folder.join("out"));
        self.update(id, |i| {
            i.state = state;
            match state {
                RunState::Done => "terminé",
                RunState::Cancelled => "annulé",
                _ => "échec",
            }
            .clone_into(&mut i.stage);
            i.finished = Some(now());
            i.error = error;
            i.summary = summary;
            i.files = files;
            if state == RunState::Done {
                i.stages_done = STAGES;
            }
        });
        if let Ok(mut c) = self.cancels.lock() {
            c.remove(id);
        }
    }

    /// A `maillage` child process on the server's data (`--data` when it has one), killed if
    /// dropped: the runs, the extracts and the comparisons.
    pub fn command(&self) -> std::io::Result<tokio::process::Command> {
        let mut cmd = tokio::process::Command::new(std::env::current_exe()?);
        if let Some(dir) = &self.data_dir {
            cmd.arg("--data").arg(dir);
        }
        cmd.stdin(Stdio::null()).kill_on_drop(true);
        Ok(cmd)
    }

    async fn child(
        &self,
        id: &str,
        folder: &Path,
        command: &str,
        sweep: Option<&[String]>,
        cancel: &Notify,
    ) -> Result<(), Outcome> {
        let mut cmd = self.command().map_err(|e| Outcome::Failed(format!("the maillage binary: {e}")))?;
        cmd.arg(command)
            .args(sweep.unwrap_or_default())
            .arg("--scenario")
            .arg(folder.join("scenario.toml"))
            .arg("--out")
            .arg(folder.join("out"))
            .env(super::super::PROGRESS_ENV, "lines")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| Outcome::Failed(format!("starting maillage plan: {e}")))?;
        let stderr = child.stderr.take().ok_or_else(|| Outcome::Failed("no stderr".to_owned()))?;
        let mut lines = tokio::io::BufReader::new(stderr).lines();
        let mut said: Vec<String> = Vec::new();
        let status = loop {
            tokio::select! {
                line = lines.next_line() => match line {
                    Ok(Some(line)) => {
                        if let Some(stage) = line.strip_prefix(super::super::STAGE_PREFIX) {
                            let stage = stage.to_owned();
                            self.update(id, |i| {
                                i.stage = stage;
                                i.stages_done = (i.stages_done + 1).min(STAGES - 1);
                            });
                        } else {
                            said.push(line);
                        }
                    }
                    _ => break child.wait().await,
                },
                () = cancel.notified() => {
                    let _ = child.kill().await;
                    return Err(Outcome::Cancelled);
                }
            }
        };
        match status {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => {
                let text = child_error(&said.join("\n"));
                Err(Outcome::Failed(if text.is_empty() { format!("maillage plan: {s}") } else { text }))
            }
            Err(e) => Err(Outcome::Failed(format!("maillage plan: {e}"))),
        }
    }
}

/// What a failed `maillage` child said: from its first `error` line to the end (the message
/// and its causes), or its last five lines when none starts so.
pub fn child_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let from = lines.iter().position(|l| l.starts_with("error")).unwrap_or(lines.len().saturating_sub(5));
    lines[from..].join("\n").trim().to_owned()
}

enum Outcome {
    Cancelled,
    Failed(String),
}

/// The files of a folder, sorted.
fn list_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.retain(|n| !n.starts_with('.'));
    names.sort();
    names
}

/// Writes `run.json` of a run, atomically.
fn write_info(dir: &Path, info: &RunInfo) -> std::io::Result<()> {
    let path = dir.join(&info.id).join("run.json");
    maillage::report::write_atomic(&path, |w| {
        serde_json::to_writer_pretty(&mut *w, info)?;
        w.write_all(b"\n")
    })
    .map_err(std::io::Error::other)
}
