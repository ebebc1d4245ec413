//! Markdown reference pages generated from schemas (tfplugindocs layout), so the docs cannot drift from
//! the descriptions Terraform shows in `terraform providers schema -json`.

use std::fmt::Write;

use super::{AttrType, Attribute, Mode, Nesting, Schema, Type};

/// What kind of page to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// `docs/index.md` (the provider).
    Provider,
    /// `docs/resources/<name>.md`.
    Resource,
    /// `docs/data-sources/<name>.md`.
    DataSource,
    /// `docs/list-resources/<name>.md` (`terraform query`).
    ListResource,
}

/// One page's inputs: the schema, and the example HCL and import command from `examples/`.
pub struct DocPage<'a> {
    /// Kind of page.
    pub kind: DocKind,
    /// Type name (or the provider's local name).
    pub name: &'a str,
    /// Its schema.
    pub schema: &'a Schema,
    /// Example configuration (HCL), if any.
    pub example: Option<&'a str>,
    /// Import command(s), if any.
    pub import: Option<&'a str>,
}

fn type_label(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_label(e)),
        Type::Set(e) => format!("Set of {}", type_label(e)),
        Type::Map(e) => format!("Map of {}", type_label(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

fn attr_label(a: &Attribute) -> String {
    let mut parts = vec![match &a.ty {
        AttrType::Plain(t) => type_label(t),
        AttrType::Nested(Nesting::Single, _) => "Attributes".into(),
        AttrType::Nested(Nesting::List, _) => "Attributes List".into(),
        AttrType::Nested(Nesting::Set, _) => "Attributes Set".into(),
        AttrType::Nested(Nesting::Map, _) => "Attributes Map".into(),
    }];
    if a.sensitive {
        parts.push("Sensitive".into());
    }
    if a.deprecated.is_some() {
        parts.push("Deprecated".into());
    }
    parts.join(", ")
}

fn section(mode: Mode) -> &'static str {
    match mode {
        Mode::Required => "Required",
        Mode::Optional | Mode::OptionalComputed => "Optional",
        Mode::Computed => "Read-Only",
    }
}

fn anchor(path: &str) -> String {
    format!("nestedatt--{}", path.replace('.', "--"))
}

fn write_attrs(
    out: &mut String,
    attrs: &[Attribute],
    path: &str,
    nested: &mut Vec<(String, Vec<Attribute>)>,
) {
    for group in ["Required", "Optional", "Read-Only"] {
        let members: Vec<&Attribute> = attrs.iter().filter(|a| section(a.mode) == group).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "{}### {group}\n",
            if path.is_empty() { "" } else { "#" }
        );
        for a in members {
            let full = if path.is_empty() {
                a.name.clone()
            } else {
                format!("{path}.{}", a.name)
            };
            let mut line = format!("- `{}` ({}) {}", a.name, attr_label(a), a.description);
            if let Some((_, inner)) = a.nested() {
                let _ = write!(line, " (see [below for nested schema](#{}))", anchor(&full));
                nested.push((full, inner.to_vec()));
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out);
    }
}

/// Renders one page. Deterministic: the same schema always gives the same bytes.
pub fn render(page: &DocPage<'_>) -> String {
    let mut out = String::new();
    let (title, subcategory) = match page.kind {
        DocKind::Provider => ("cloudflare-orgs Provider".to_string(), ""),
        DocKind::Resource => (format!("{} (Resource)", page.name), ""),
        DocKind::DataSource => (format!("{} (Data Source)", page.name), ""),
        DocKind::ListResource => (format!("{} (List Resource)", page.name), ""),
    };
    let first_sentence = page
        .schema
        .description
        .split(". ")
        .next()
        .unwrap_or_default();
    let _ = writeln!(out, "---\npage_title: \"{title}\"\nsubcategory: \"{subcategory}\"\ndescription: |-\n  {}\n---\n", first_sentence.trim_end_matches('.'));
    let _ = writeln!(out, "# {title}\n\n{}\n", page.schema.description);
    if let Some(ex) = page.example {
        let _ = writeln!(
            out,
            "## Example Usage\n\n```terraform\n{}\n```\n",
            ex.trim_end()
        );
    }
    let _ = writeln!(out, "## Schema\n");
    let mut nested = Vec::new();
    write_attrs(&mut out, &page.schema.attributes, "", &mut nested);
    let mut i = 0;
    while i < nested.len() {
        let (path, attrs) = nested[i].clone();
        let _ = writeln!(
            out,
            "<a id=\"{}\"></a>\n### Nested Schema for `{path}`\n",
            anchor(&path)
        );
        write_attrs(&mut out, &attrs, &path, &mut nested);
        i += 1;
    }
    if let Some(import) = page.import {
        let _ = writeln!(
            out,
            "## Import\n\nImport is supported using the following syntax:\n\n```shell\n{}\n```\n",
            import.trim_end()
        );
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_attributes_get_their_own_section_with_an_anchor() {
        let s = Schema::new(
            1,
            "Manages a thing. More text.",
            vec![
                Attribute::string("name")
                    .required()
                    .description("The name."),
                Attribute::object(
                    "p",
                    vec![Attribute::string("x").computed().description("X.")],
                )
                .optional()
                .description("P."),
            ],
        );
        let md = render(&DocPage {
            kind: DocKind::Resource,
            name: "t_thing",
            schema: &s,
            example: None,
            import: Some("terraform import t_thing.a 1"),
        });
        assert!(md.contains("- `name` (String) The name."), "{md}");
        assert!(
            md.contains("(see [below for nested schema](#nestedatt--p))"),
            "{md}"
        );
        assert!(md.contains("### Nested Schema for `p`"), "{md}");
        assert!(md.contains("#### Read-Only\n\n- `x` (String) X."), "{md}");
        assert!(md.contains("terraform import t_thing.a 1"), "{md}");
        assert!(
            md.starts_with("---\npage_title: \"t_thing (Resource)\""),
            "{md}"
        );
    }
}
