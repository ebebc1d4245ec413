//! Diagnostics (summary, detail, attribute path) and attribute paths.
//!
//! Diagnostics are how every user-facing problem leaves the provider: the protocol layer copies them into
//! the RPC response, and Terraform points `attribute` paths at the user's HCL. Text is always valid UTF-8
//! (Rust strings) and never carries a backtrace.

use std::fmt;

/// One step of an [`AttributePath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An attribute (or nested attribute) name.
    Attribute(String),
    /// A map element key.
    ElementKeyString(String),
    /// A list or tuple element index.
    ElementKeyInt(i64),
}

/// A path to an attribute, e.g. `profile.business_email` or `result[3].id`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributePath(Vec<PathStep>);

impl AttributePath {
    /// The empty path (the whole object).
    pub fn root() -> Self {
        AttributePath(Vec::new())
    }
    /// A path starting at top-level attribute `name`.
    pub fn attr(name: &str) -> Self {
        AttributePath(vec![PathStep::Attribute(name.to_string())])
    }
    /// This path extended by attribute `name`.
    pub fn child(&self, name: &str) -> Self {
        let mut p = self.clone();
        p.0.push(PathStep::Attribute(name.to_string()));
        p
    }
    /// This path extended by list index `i`.
    pub fn index(&self, i: i64) -> Self {
        let mut p = self.clone();
        p.0.push(PathStep::ElementKeyInt(i));
        p
    }
    /// This path extended by map key `k`.
    pub fn key(&self, k: &str) -> Self {
        let mut p = self.clone();
        p.0.push(PathStep::ElementKeyString(k.to_string()));
        p
    }
    /// The steps, outermost first.
    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }
    /// Builds a path from steps.
    pub fn from_steps(steps: Vec<PathStep>) -> Self {
        AttributePath(steps)
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathStep::Attribute(n) if i == 0 => write!(f, "{n}")?,
                PathStep::Attribute(n) => write!(f, ".{n}")?,
                PathStep::ElementKeyString(k) => write!(f, "[{k:?}]")?,
                PathStep::ElementKeyInt(k) => write!(f, "[{k}]")?,
            }
        }
        Ok(())
    }
}

/// Error or warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Stops the operation.
    Error,
    /// Shown to the user; the operation goes on.
    Warning,
}

/// One diagnostic: a short title-cased summary, a detail saying what happened and what to do, and the
/// attribute at fault when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Short, title-cased (e.g. "Unable to Create Organization").
    pub summary: String,
    /// What happened and what to do; ends with the API's `code: message` when one applies.
    pub detail: String,
    /// The attribute at fault, if one is.
    pub attribute: Option<AttributePath>,
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds an error.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary, detail, None);
    }
    /// Adds an error pointing at `path`.
    pub fn error_at(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Error, summary, detail, Some(path));
    }
    /// Adds a warning.
    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, summary, detail, None);
    }
    /// Adds a warning pointing at `path`.
    pub fn warning_at(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Warning, summary, detail, Some(path));
    }
    fn push(
        &mut self,
        severity: Severity,
        summary: impl Into<String>,
        detail: impl Into<String>,
        attribute: Option<AttributePath>,
    ) {
        self.0.push(Diagnostic {
            severity,
            summary: summary.into(),
            detail: detail.into(),
            attribute,
        });
    }
    /// Appends every diagnostic of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    /// True when there are no diagnostics at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Iterates in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
    /// Consumes into the inner vector.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_terraform_addresses() {
        let p = AttributePath::attr("result").index(3).child("id");
        assert_eq!(p.to_string(), "result[3].id");
        assert_eq!(AttributePath::attr("m").key("k").to_string(), "m[\"k\"]");
    }

    #[test]
    fn errors_are_detected_but_warnings_are_not() {
        let mut d = Diagnostics::new();
        d.warning("W", "w");
        assert!(!d.has_errors());
        d.error_at(AttributePath::attr("name"), "E", "e");
        assert!(d.has_errors());
        assert_eq!(d.iter().count(), 2);
    }
}
