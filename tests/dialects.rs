//! Tables as French planners have them: semicolons and decimal commas, a BOM, Windows-1252,
//! CRLF, workbooks and INSEE's column names read to exactly what the plain CSV gives.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{cli_command, need_fails, sample_dir};

/// The plain table and its dialects, written into `dir`: (file, bytes or workbook rows).
fn dialects(dir: &Path, stem: &str, plain: &str) -> Vec<PathBuf> {
    let lines: Vec<&str> = plain.lines().collect();
    let semicolons: Vec<String> = lines.iter().map(|l| l.replace(',', ";").replace('.', ",")).collect();
    let mut files = Vec::new();
    let mut write = |name: &str, bytes: Vec<u8>| {
        let path = dir.join(format!("{stem}_{name}"));
        fs::write(&path, bytes).unwrap();
        files.push(path);
    };
    write("semicolon_crlf.csv", (semicolons.join("\r\n") + "\r\n").into_bytes());
    write("bom.csv", [b"\xEF\xBB\xBF".as_slice(), plain.as_bytes()].concat());
    let text = semicolons.join("\n") + "\n";
    let (latin, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy);
    write("windows1252.csv", latin.into_owned());
    write("codgeo.csv", plain.replacen("insee", "CODGEO", 1).into_bytes());
    let book = dir.join(format!("{stem}_book.xlsx"));
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Feuil1").unwrap();
    for (r, line) in lines.iter().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                // Codes as numbers, as Excel stores them: 1001 for 01001 (none here lose a zero,
                // the sample's codes start 6 or 9), counts as numbers.
                Ok(v) if r > 0 => sheet.write_number(r, c, v).map(|_| ()),
                _ => sheet.write_string(r, c, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    workbook.save(&book).unwrap();
    files.push(book.clone());
    files.push(PathBuf::from(format!("{}#Feuil1", book.display())));
    // The same table saved by LibreOffice Calc as OpenDocument (`soffice --headless
    // --infilter=CSV:44,34,76,1 --convert-to ods STEM.csv`), committed: no ODS writer here.
    let ods = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/{stem}.ods"));
    assert!(ods.is_file(), "{} missing", ods.display());
    files.push(ods);
    files
}

fn run(args: &[&std::ffi::OsStr]) -> String {
    let output = cli_command().arg("--data").arg(sample_dir()).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{args:?}: {stderr}");
    stderr
}

#[test]
fn a_need_file_reads_the_same_in_every_dialect() {
    let work = tempfile::tempdir().unwrap();
    let plain = "insee,nom,need\n69029,Brignais é,1234.5\n69266,Villeurbanne,800\n97201,L'Ajoupa-Bouillon,42.25\n";
    let reference = work.path().join("plain.csv");
    fs::write(&reference, plain).unwrap();
    let table = |need: &Path, out: &str| {
        let out = work.path().join(out);
        let stderr = run(&["need".as_ref(), "--need".as_ref(), need.as_os_str(), "--out".as_ref(), out.as_os_str()]);
        (fs::read_to_string(out).unwrap(), stderr)
    };
    let (expected, _) = table(&reference, "plain_out.csv");
    for (i, file) in dialects(work.path(), "need", plain).iter().enumerate() {
        let (got, stderr) = table(file, &format!("out{i}.csv"));
        assert_eq!(got, expected, "{}", file.display());
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if !name.contains("codgeo") {
            assert!(stderr.contains("read as"), "{name}: the dialect is not said:\n{stderr}");
        }
    }
}

#[test]
fn an_allocation_and_an_od_matrix_read_the_same_in_every_dialect() {
    let work = tempfile::tempdir().unwrap();
    let allocation = "insee,posts,cost\n69029,2,98000.5\n97201,1,50000\n";
    let od = "origin,destination,minutes\n69029,69266,12.5\n69266,69029,13\n69266,69266,2.5\n";
    let outputs = |kind: &str, file: &Path, out: &Path| {
        if kind == "allocation" {
            run(&["evaluate".as_ref(), "--allocation".as_ref(), file.as_os_str(), "--out".as_ref(), out.as_os_str()]);
            fs::read_to_string(out.join("plan.csv")).unwrap()
        } else {
            run(&["reach".as_ref(), "--od".as_ref(), file.as_os_str(), "--out".as_ref(), out.as_os_str()]);
            fs::read_to_string(out).unwrap()
        }
    };
    for (kind, plain) in [("allocation", allocation), ("od", od)] {
        let reference = work.path().join(format!("{kind}.csv"));
        fs::write(&reference, plain).unwrap();
        let expected = outputs(kind, &reference, &work.path().join(format!("{kind}_plain")));
        for (i, file) in dialects(work.path(), kind, plain).iter().enumerate() {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if kind == "od" && name.contains("codgeo") {
                continue;
            }
            let got = outputs(kind, file, &work.path().join(format!("{kind}_{i}")));
            assert_eq!(got, expected, "{}", file.display());
        }
    }
}

#[test]
fn a_file_in_no_text_encoding_is_refused_with_its_byte_offset() {
    let work = tempfile::tempdir().unwrap();
    let bad = work.path().join("binary.csv");
    fs::write(&bad, b"insee,need\n69029,1\x00\x81\n").unwrap();
    let (stderr, out) = need_fails(work.path(), &bad);
    assert!(!out.exists());
    assert!(
        stderr.contains("binary.csv") && stderr.contains("byte 18 (0x00) is neither UTF-8 nor Windows-1252"),
        "{stderr}"
    );
}

#[test]
fn a_city_code_spreads_over_its_arrondissements() {
    let work = tempfile::tempdir().unwrap();
    let sample = crate::util::sample();
    let lyon: Vec<&maillage::DemandUnit> =
        sample.units.iter().filter(|u| u.code.as_str().starts_with("6938")).collect();
    assert!(lyon.len() >= 2, "the sample splits Lyon");
    let population: u64 = lyon.iter().map(|u| u.population).sum();
    // Need: the city's 9,000 split by population, the commune's own kept.
    let need = work.path().join("need.csv");
    fs::write(&need, "insee,need\n69123,9000\n69029,100\n").unwrap();
    let out = work.path().join("n.csv");
    let stderr = run(&["need".as_ref(), "--need".as_ref(), need.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert!(stderr.contains("need of 69123 over") && stderr.contains("split by population"), "{stderr}");
    let mut r = csv::Reader::from_path(&out).unwrap();
    let mut total = 0.0;
    for rec in r.records().map(Result::unwrap) {
        let value: f64 = rec[7].parse().unwrap();
        total += value;
        if let Some(u) = lyon.iter().find(|u| u.code.as_str() == &rec[0]) {
            let share = 9000.0 * u.population as f64 / population as f64;
            assert!((value - share).abs() < 0.06, "{}: {value} against {share}", &rec[0]);
        }
    }
    assert!((total - 9100.0).abs() < 0.5, "total need {total}");
    // The city and one of its arrondissements: refused, both lines named.
    fs::write(&need, format!("insee,need\n69123,9000\n{},100\n", lyon[0].code.as_str())).unwrap();
    let (stderr, out) = need_fails(work.path(), &need);
    assert!(!out.exists());
    assert!(stderr.contains("need.csv:3:") && stderr.contains("(line 2 gives the other: double counting)"), "{stderr}");
    // OD: a row from the city applies to each arrondissement.
    let od = work.path().join("od.csv");
    fs::write(&od, "origin,destination,minutes\n69123,69029,11\n").unwrap();
    let reach = work.path().join("reach.csv");
    run(&["reach".as_ref(), "--od".as_ref(), od.as_os_str(), "--out".as_ref(), reach.as_os_str()]);
    let text = fs::read_to_string(&reach).unwrap();
    for u in &lyon {
        let to_69029 = text
            .lines()
            .any(|l| l.starts_with(&format!("{},", u.code.as_str())) && l.split(',').nth(3) == Some("69029"));
        assert!(to_69029, "{} does not reach 69029:\n{text}", u.code.as_str());
    }
    // Allocation: the city's posts at one arrondissement, said.
    let alloc = work.path().join("alloc.csv");
    fs::write(&alloc, "insee,posts\n69123,2\n").unwrap();
    let eval = work.path().join("eval");
    let stderr =
        run(&["evaluate".as_ref(), "--allocation".as_ref(), alloc.as_os_str(), "--out".as_ref(), eval.as_os_str()]);
    assert!(stderr.contains("2 posts of Paris, Lyon, Marseille placed in the arrondissement nearest"), "{stderr}");
    let plan = fs::read_to_string(eval.join("plan.csv")).unwrap();
    assert_eq!(plan.lines().count(), 2, "one site with both posts:\n{plan}");
    assert!(plan.lines().nth(1).unwrap().contains(",6938"), "{plan}");
}

#[test]
fn plan_xlsx_holds_the_numbers_of_the_csvs() {
    use calamine::{Data, Reader};
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("p");
    run(&["plan".as_ref(), "--posts".as_ref(), "9".as_ref(), "--out".as_ref(), out.as_os_str()]);
    let mut book = calamine::open_workbook_auto(out.join("plan.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["Synthèse", "Sites", "Communes", "Départements"]);
    let number = |d: &Data| match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    };
    let csv_rows = |name: &str| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(out.join(name)).unwrap().records().map(Result::unwrap).collect()
    };
    // Sites: id, posts, cost and served as in plan.csv.
    let sites = book.worksheet_range("Sites").unwrap();
    let plan = csv_rows("plan.csv");
    assert_eq!(sites.height(), plan.len() + 1);
    for (row, rec) in sites.rows().skip(1).zip(&plan) {
        assert_eq!(row[0].to_string(), &rec[0]);
        for (c, col) in [(5, 5), (6, 6), (7, 7)] {
            let v: f64 = rec[col].parse().unwrap();
            assert!((number(&row[c]) - v).abs() <= 0.05 + 1e-9 * v.abs(), "{} column {col}", &rec[0]);
        }
    }
    // Communes: every unit, its need and its served people.
    let units = book.worksheet_range("Communes").unwrap();
    let csv_units = csv_rows("units.csv");
    assert_eq!(units.height(), csv_units.len() + 1);
    for (row, rec) in units.rows().skip(1).zip(&csv_units) {
        assert_eq!(row[0].to_string(), &rec[0], "codes keep their zeros as text");
        for col in [4, 5] {
            let v: f64 = rec[col].parse().unwrap();
            assert!((number(&row[col]) - v).abs() <= 0.05 + 1e-9 * v.abs(), "{} column {col}", &rec[0]);
        }
    }
    // Départements: posts and served.
    let deps = book.worksheet_range("Départements").unwrap();
    for (row, rec) in deps.rows().skip(1).zip(&csv_rows("departements.csv")) {
        assert_eq!(row[0].to_string(), &rec[0]);
        assert_eq!(number(&row[2]).to_string(), rec[1], "posts of {}", &rec[0]);
        assert!((number(&row[4]) - rec[3].parse::<f64>().unwrap()).abs() <= 0.05);
    }
    // --no-xlsx writes none.
    let bare = work.path().join("bare");
    run(&["plan".as_ref(), "--posts".as_ref(), "9".as_ref(), "--no-xlsx".as_ref(), "--out".as_ref(), bare.as_os_str()]);
    assert!(!bare.join("plan.xlsx").exists() && bare.join("plan.csv").exists());
}

#[test]
fn compare_and_batch_write_their_workbooks_too() {
    use calamine::Reader;
    let work = tempfile::tempdir().unwrap();
    let (a, b, cmp) = (work.path().join("a"), work.path().join("b"), work.path().join("cmp"));
    run(&["plan".as_ref(), "--posts".as_ref(), "5".as_ref(), "--out".as_ref(), a.as_os_str()]);
    run(&["plan".as_ref(), "--posts".as_ref(), "8".as_ref(), "--out".as_ref(), b.as_os_str()]);
    cli_command().arg("compare").arg(&a).arg(&b).arg("--out").arg(&cmp).assert().success();
    let mut book = calamine::open_workbook_auto(cmp.join("compare.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["Synthèse", "Départements", "Sites"]);
    let sites = book.worksheet_range("Sites").unwrap();
    let csv_sites = fs::read_to_string(cmp.join("compare_sites.csv")).unwrap();
    assert_eq!(sites.height(), csv_sites.lines().count(), "one row per site that differs");
    let scenarios = work.path().join("scenarios");
    fs::create_dir(&scenarios).unwrap();
    fs::write(scenarios.join("s.toml"), "posts = 4\nsolver = \"greedy\"\n").unwrap();
    let batch = work.path().join("batch");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .arg("batch")
        .arg(&scenarios)
        .arg("--out")
        .arg(&batch)
        .assert()
        .success();
    let mut book = calamine::open_workbook_auto(batch.join("batch_summary.xlsx")).unwrap();
    let table = book.worksheet_range("Scénarios").unwrap();
    assert_eq!(table.height(), 2);
    assert_eq!(table.get((1, 2)).unwrap().to_string(), "ok");
    assert_eq!(table.get((1, 3)).unwrap().to_string(), "4");
}

#[test]
fn a_bad_cell_in_a_workbook_names_the_sheet_and_the_row() {
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("need.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Besoins").unwrap();
    for (r, (code, need)) in [("insee", ""), ("69029", "12"), ("69266", "-4")].iter().enumerate() {
        sheet.write_string(r as u32, 0, *code).unwrap();
        match need.parse::<f64>() {
            Ok(v) => sheet.write_number(r as u32, 1, v).map(|_| ()).unwrap(),
            Err(_) => sheet.write_string(r as u32, 1, "need").map(|_| ()).unwrap(),
        }
    }
    book.save(&path).unwrap();
    let (stderr, out) = need_fails(work.path(), &path);
    assert!(!out.exists());
    assert!(stderr.contains("need.xlsx#Besoins:3: field `need` = \"-4\""), "{stderr}");
}
