//! docs/ is generated from the schemas and examples/; this test fails when it is stale (run `make docs`).

use std::path::{Path, PathBuf};

use tfcf::framework::docs::{render, DocKind, DocPage};
use tfcf::framework::Schema;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_opt(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

/// Every page docs/ should hold, as (path relative to the repo, contents).
fn expected_pages() -> Vec<(PathBuf, String)> {
    let provider = tfcf::provider::new();
    let mut pages = Vec::new();
    let ex = root().join("examples");
    let schema = provider.schema();
    pages.push((
        PathBuf::from("docs/index.md"),
        render(&DocPage {
            kind: DocKind::Provider,
            name: "cloudflare",
            schema: &schema,
            example: read_opt(&ex.join("provider/provider.tf")).as_deref(),
            import: None,
        }),
    ));
    let resources: Vec<(String, Schema)> = provider
        .resources()
        .iter()
        .map(|r| (r.type_name().to_string(), r.schema()))
        .collect();
    for (name, schema) in &resources {
        let dir = ex.join("resources").join(name);
        pages.push((
            PathBuf::from(format!(
                "docs/resources/{}.md",
                name.trim_start_matches("cloudflare_")
            )),
            render(&DocPage {
                kind: DocKind::Resource,
                name,
                schema,
                example: read_opt(&dir.join("resource.tf")).as_deref(),
                import: read_opt(&dir.join("import.sh")).as_deref(),
            }),
        ));
    }
    let data_sources: Vec<(String, Schema)> = provider
        .data_sources()
        .iter()
        .map(|d| (d.type_name().to_string(), d.schema()))
        .collect();
    for (name, schema) in &data_sources {
        let dir = ex.join("data-sources").join(name);
        pages.push((
            PathBuf::from(format!(
                "docs/data-sources/{}.md",
                name.trim_start_matches("cloudflare_")
            )),
            render(&DocPage {
                kind: DocKind::DataSource,
                name,
                schema,
                example: read_opt(&dir.join("data-source.tf")).as_deref(),
                import: None,
            }),
        ));
    }
    for list in provider.list_resources() {
        let name = list.type_name();
        let schema = list.schema();
        let dir = ex.join("list-resources").join(name);
        pages.push((
            PathBuf::from(format!(
                "docs/list-resources/{}.md",
                name.trim_start_matches("cloudflare_")
            )),
            render(&DocPage {
                kind: DocKind::ListResource,
                name,
                schema: &schema,
                example: read_opt(&dir.join("list.tfquery.hcl")).as_deref(),
                import: None,
            }),
        ));
    }
    pages
}

/// The committed docs/ equals what the schemas and examples generate (`UPDATE_DOCS=1` rewrites it).
#[test]
fn docs_are_up_to_date() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (rel, want) in expected_pages() {
        let path = root().join(&rel);
        if update {
            std::fs::create_dir_all(path.parent().expect("docs path has a parent"))
                .expect("mkdir docs");
            std::fs::write(&path, format!("{want}\n")).expect("write doc page");
        } else if read_opt(&path).as_deref() != Some(format!("{want}\n").as_str()) {
            stale.push(rel.display().to_string());
        }
    }
    assert!(stale.is_empty(), "stale docs (run `make docs`): {stale:?}");
}

/// Every attribute of every schema has a description that is a full sentence ending in a period.
#[test]
fn every_attribute_has_a_description() {
    let provider = tfcf::provider::new();
    let mut schemas = vec![("provider".to_string(), provider.schema())];
    schemas.extend(
        provider
            .resources()
            .iter()
            .map(|r| (r.type_name().to_string(), r.schema())),
    );
    schemas.extend(
        provider
            .data_sources()
            .iter()
            .map(|d| (d.type_name().to_string(), d.schema())),
    );
    schemas.extend(
        provider
            .list_resources()
            .iter()
            .map(|l| (format!("list {}", l.type_name()), l.schema())),
    );
    let mut missing = Vec::new();
    for (owner, schema) in &schemas {
        if schema.description.trim().is_empty() {
            missing.push(format!("{owner} (type description)"));
        }
        for (path, attr) in schema.walk() {
            let d = attr.description.trim();
            if d.is_empty() || !(d.ends_with('.') || d.ends_with(".)")) {
                missing.push(format!("{owner}.{path}: {d:?}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "attributes without a full-sentence description: {missing:#?}"
    );
}
