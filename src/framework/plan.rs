//! Terraform's planning and apply-consistency rules, in one place.
//!
//! Plan: only when the proposed new state differs from the prior state (or on create), computed attributes
//! that are null in config become unknown — unless the schema says `use_state_for_unknown` and the prior
//! state has a value. Then `requires_replace` paths whose values change are gathered. A configured value
//! is never planned unknown.
//!
//! Apply: every known planned value must equal the applied value, and nothing may stay unknown
//! (`hashicorp/terraform` `objchange` rules). Violations become provider errors naming the attribute.

use super::{AttrType, Attribute, AttributePath, Diagnostics, Nesting, Schema, Value};

/// Applies the schema-declared plan rules to `proposed`. Pure: no I/O, no clock.
///
/// `prior` is null on create; `proposed` must not be null (destroy plans skip these rules).
pub fn plan_rules(schema: &Schema, prior: &Value, proposed: &Value, config: &Value) -> Value {
    let mut planned = proposed.clone();
    if !prior.is_null() && proposed.equals(prior) {
        return planned;
    }
    mark_computed(
        &schema.attributes,
        prior,
        config,
        &mut planned,
        &AttributePath::root(),
    );
    planned
}

fn mark_computed(
    attrs: &[Attribute],
    prior: &Value,
    config: &Value,
    planned: &mut Value,
    path: &AttributePath,
) {
    for a in attrs {
        let cfg = config.get(&a.name);
        let pri = prior.get(&a.name);
        let Some(slot) = planned.get_mut(&a.name) else {
            continue;
        };
        if a.mode.computed() && cfg.is_null() {
            // On update, `use_state_for_unknown` keeps the prior value, null included (a root
            // organization stays a root): the attribute cannot change in place. On create there is no
            // prior object, so the value is unknown.
            *slot = if a.use_state_for_unknown && !prior.is_null() && !pri.is_unknown() {
                pri.clone()
            } else {
                Value::unknown()
            };
            continue;
        }
        // Configured (or non-computed) attribute: descend into a configured single nested object so that
        // its computed children (e.g. `parent.name`) follow the same rule.
        if let AttrType::Nested(Nesting::Single, nested) = &a.ty {
            if matches!(slot, Value::Object(_)) {
                let p = path.child(&a.name);
                mark_computed(nested, pri, cfg, slot, &p);
            }
        }
    }
}

/// Paths of `requires_replace` attributes whose planned value differs from the prior value.
pub fn replace_paths(schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttributePath> {
    let mut out = Vec::new();
    if prior.is_null() || planned.is_null() {
        return out;
    }
    collect_replace(
        &schema.attributes,
        prior,
        planned,
        &AttributePath::root(),
        &mut out,
    );
    out
}

fn collect_replace(
    attrs: &[Attribute],
    prior: &Value,
    planned: &Value,
    path: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    for a in attrs {
        let pri = prior.get(&a.name);
        let pla = planned.get(&a.name);
        let p = path.child(&a.name);
        if a.requires_replace && !pri.equals(pla) {
            // An attribute that was null and stays unset is not a change; unknown counts as a change.
            out.push(p.clone());
            continue;
        }
        // Descend only into a planned object: an unknown or null object is governed by its own flags.
        if let (AttrType::Nested(Nesting::Single, nested), Value::Object(_)) = (&a.ty, pla) {
            collect_replace(nested, pri, pla, &p, out);
        }
    }
}

/// Checks Terraform's plan validity rules that a resource's own plan changes could break: a configured
/// value must not be planned unknown or different, and a non-computed attribute left null in config must
/// plan null.
pub fn check_plan_validity(schema: &Schema, config: &Value, planned: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    check_plan_attrs(
        &schema.attributes,
        config,
        planned,
        &AttributePath::root(),
        &mut diags,
    );
    diags
}

fn check_plan_attrs(
    attrs: &[Attribute],
    config: &Value,
    planned: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    for a in attrs {
        let cfg = config.get(&a.name);
        let pla = planned.get(&a.name);
        let p = path.child(&a.name);
        if cfg.is_null() {
            if !a.mode.computed() && !pla.is_null() {
                diags.error_at(
                    p.clone(),
                    "Provider Produced Invalid Plan",
                    format!("The provider planned a value for {p}, which is not computed and not set in configuration. This is a bug in the provider; please report it."),
                );
            }
            continue;
        }
        if cfg.is_unknown() {
            continue;
        }
        if let AttrType::Nested(Nesting::Single, nested) = &a.ty {
            if !pla.is_unknown() && !pla.is_null() {
                check_plan_attrs(nested, cfg, pla, &p, diags);
                continue;
            }
        }
        if a.mode.computed() && !cfg.is_wholly_known() {
            continue;
        }
        if !cfg.equals(pla) && cfg.is_wholly_known() {
            diags.error_at(
                p.clone(),
                "Provider Produced Invalid Plan",
                format!("The provider planned a value for {p} that differs from the configured value. This is a bug in the provider; please report it."),
            );
        }
    }
}

/// Checks a new state against the planned state before an apply response leaves the provider: known
/// planned values must be equal, and nothing may remain unknown. Returns errors naming each attribute.
pub fn check_apply_consistency(schema: &Schema, planned: &Value, new: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    consistency(
        &schema.attributes,
        planned,
        new,
        &AttributePath::root(),
        &mut diags,
    );
    diags
}

fn consistency(
    attrs: &[Attribute],
    planned: &Value,
    new: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    for a in attrs {
        let pla = planned.get(&a.name);
        let got = new.get(&a.name);
        let p = path.child(&a.name);
        if !got.is_wholly_known() {
            diags.error_at(
                p.clone(),
                "Provider Returned Invalid Result After Apply",
                format!("After apply, {p} is still unknown. This is a bug in the provider; please report it. The object was saved to state so that it is not lost."),
            );
            continue;
        }
        if let Value::Unknown(r) = pla {
            if let Some(broken) = refinement_broken(r, got) {
                diags.error_at(
                    p.clone(),
                    "Provider Produced Inconsistent Result After Apply",
                    format!("The value of {p} after apply does not honour what the plan promised ({broken}). This is a bug in the provider; please report it. The object was saved to state so that it is not lost."),
                );
            }
            continue;
        }
        if matches!(pla, Value::Object(_)) && !matches!(got, Value::Object(_)) {
            diags.error_at(
                p.clone(),
                "Provider Produced Inconsistent Result After Apply",
                format!("The plan has an object for {p}, but after apply it is null. This is a bug in the provider; please report it. The object was saved to state so that it is not lost."),
            );
            continue;
        }
        if let (AttrType::Nested(Nesting::Single, nested), Value::Object(_), Value::Object(_)) =
            (&a.ty, pla, got)
        {
            consistency(nested, pla, got, &p, diags);
            continue;
        }
        if pla.is_wholly_known() && !pla.equals(got) {
            diags.error_at(
                p.clone(),
                "Provider Produced Inconsistent Result After Apply",
                format!("The planned value of {p} differs from the value after apply. This is a bug in the provider; please report it. The object was saved to state so that it is not lost."),
            );
        }
    }
}

/// Which refinement of a planned unknown the applied value breaks, if any (protocol.md §9: if we plan a
/// refinement, apply must honour it).
fn refinement_broken(r: &super::Refinements, got: &Value) -> Option<String> {
    if r.nullable == Some(false) && got.is_null() {
        return Some("not null".into());
    }
    if let (Some(prefix), Value::String(s)) = (&r.string_prefix, got) {
        if !s.starts_with(prefix.as_str()) {
            return Some(format!("a string starting with {prefix:?}"));
        }
    }
    if let Some(items) = got.as_elements() {
        let n = items.len() as u64;
        if r.length_lower.is_some_and(|lo| n < lo) || r.length_upper.is_some_and(|hi| n > hi) {
            return Some("a collection length within the planned bounds".into());
        }
    }
    if let Value::Number(n) = got {
        let x = n.approx_f64()?;
        let bound = |b: &(super::Number, bool)| b.0.approx_f64().map(|v| (v, b.1));
        if let Some((lo, incl)) = r.number_lower.as_ref().and_then(bound) {
            if x < lo || (!incl && x == lo) {
                return Some("a number within the planned bounds".into());
            }
        }
        if let Some((hi, incl)) = r.number_upper.as_ref().and_then(bound) {
            if x > hi || (!incl && x == hi) {
                return Some("a number within the planned bounds".into());
            }
        }
    }
    None
}

/// Replaces every unknown inside `v` with null (used only to make an invalid provider result storable).
pub fn unknowns_to_null(v: &mut Value) {
    match v {
        Value::Unknown(_) => *v = Value::Null,
        Value::List(xs) | Value::Set(xs) | Value::Tuple(xs) => {
            xs.iter_mut().for_each(unknowns_to_null)
        }
        Value::Map(m) | Value::Object(m) => m.values_mut().for_each(unknowns_to_null),
        Value::Dynamic(_, inner) => unknowns_to_null(inner),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::new(
            1,
            "t",
            vec![
                Attribute::string("id").computed().use_state_for_unknown(),
                Attribute::string("name").required(),
                Attribute::string("stamp").computed(),
                Attribute::object(
                    "parent",
                    vec![
                        Attribute::string("id").required().requires_replace(),
                        Attribute::string("name").computed(),
                    ],
                )
                .optional_computed()
                .use_state_for_unknown(),
            ],
        )
    }

    fn obj(id: Value, name: &str, stamp: Value, parent: Value) -> Value {
        Value::object([
            ("id", id),
            ("name", Value::string(name)),
            ("stamp", stamp),
            ("parent", parent),
        ])
    }

    #[test]
    fn create_marks_every_unset_computed_attribute_unknown() {
        let s = schema();
        let cfg = obj(Value::Null, "a", Value::Null, Value::Null);
        let planned = plan_rules(&s, &Value::Null, &cfg, &cfg);
        assert!(planned.get("id").is_unknown());
        assert!(planned.get("stamp").is_unknown());
        assert!(planned.get("parent").is_unknown());
        assert_eq!(planned.get("name"), &Value::string("a"));
    }

    #[test]
    fn no_change_plans_the_prior_state_exactly() {
        let s = schema();
        let prior = obj(Value::string("1"), "a", Value::string("t"), Value::Null);
        let cfg = obj(Value::Null, "a", Value::Null, Value::Null);
        let planned = plan_rules(&s, &prior, &prior, &cfg);
        assert_eq!(planned, prior);
    }

    #[test]
    fn update_keeps_state_for_unknown_and_marks_the_rest() {
        let s = schema();
        let prior = obj(Value::string("1"), "a", Value::string("t"), Value::Null);
        let cfg = obj(Value::Null, "b", Value::Null, Value::Null);
        let proposed = obj(Value::string("1"), "b", Value::string("t"), Value::Null);
        let planned = plan_rules(&s, &prior, &proposed, &cfg);
        assert_eq!(planned.get("id"), &Value::string("1"));
        assert!(planned.get("stamp").is_unknown());
    }

    #[test]
    fn update_keeps_a_null_prior_for_state_for_unknown_and_plans_no_replace() {
        let s = schema();
        let prior = obj(Value::string("1"), "a", Value::string("t"), Value::Null);
        let cfg = obj(Value::Null, "b", Value::Null, Value::Null);
        let proposed = obj(Value::string("1"), "b", Value::string("t"), Value::Null);
        let planned = plan_rules(&s, &prior, &proposed, &cfg);
        assert_eq!(planned.get("parent"), &Value::Null);
        let mut unknown_parent = planned.clone();
        unknown_parent.set("parent", Value::unknown());
        assert!(replace_paths(&s, &prior, &unknown_parent).is_empty());
    }

    #[test]
    fn nested_requires_replace_is_gathered_only_when_it_changes() {
        let s = schema();
        let parent =
            |id: &str| Value::object([("id", Value::string(id)), ("name", Value::string("p"))]);
        let prior = obj(Value::string("1"), "a", Value::string("t"), parent("p1"));
        let same = replace_paths(&s, &prior, &prior);
        assert!(same.is_empty());
        let moved = obj(Value::string("1"), "a", Value::string("t"), parent("p2"));
        let paths = replace_paths(&s, &prior, &moved);
        assert_eq!(paths, vec![AttributePath::attr("parent").child("id")]);
    }

    #[test]
    fn apply_consistency_names_the_attribute_that_changed() {
        let s = schema();
        let planned = obj(Value::unknown(), "a", Value::unknown(), Value::Null);
        let ok = obj(Value::string("1"), "a", Value::string("t"), Value::Null);
        assert!(check_apply_consistency(&s, &planned, &ok).is_empty());
        let bad = obj(Value::string("1"), "b", Value::string("t"), Value::Null);
        let d = check_apply_consistency(&s, &planned, &bad);
        assert!(d.has_errors());
        assert_eq!(
            d.iter().next().and_then(|d| d.attribute.clone()),
            Some(AttributePath::attr("name"))
        );
        let planned_parent = obj(
            Value::unknown(),
            "a",
            Value::unknown(),
            Value::object([("id", Value::string("p")), ("name", Value::unknown())]),
        );
        let dropped = obj(Value::string("1"), "a", Value::string("t"), Value::Null);
        assert!(check_apply_consistency(&s, &planned_parent, &dropped).has_errors());
        let unknown_left = obj(Value::string("1"), "a", Value::unknown(), Value::Null);
        assert!(check_apply_consistency(&s, &planned, &unknown_left).has_errors());
    }

    #[test]
    fn apply_must_honour_planned_refinements() {
        let s = schema();
        let mut planned = obj(Value::unknown(), "a", Value::unknown(), Value::Null);
        planned.set(
            "stamp",
            Value::Unknown(super::super::Refinements {
                nullable: Some(false),
                string_prefix: Some("t-".into()),
                ..Default::default()
            }),
        );
        let ok = obj(Value::string("1"), "a", Value::string("t-1"), Value::Null);
        assert!(check_apply_consistency(&s, &planned, &ok).is_empty());
        let bad_prefix = obj(Value::string("1"), "a", Value::string("x"), Value::Null);
        assert!(check_apply_consistency(&s, &planned, &bad_prefix).has_errors());
        let null = obj(Value::string("1"), "a", Value::Null, Value::Null);
        assert!(check_apply_consistency(&s, &planned, &null).has_errors());
    }

    #[test]
    fn plan_validity_rejects_a_configured_value_planned_unknown() {
        let s = schema();
        let cfg = obj(Value::Null, "a", Value::Null, Value::Null);
        let mut bad = obj(Value::unknown(), "a", Value::Null, Value::Null);
        bad.set("name", Value::unknown());
        assert!(check_plan_validity(&s, &cfg, &bad).has_errors());
        let good = obj(Value::unknown(), "a", Value::unknown(), Value::unknown());
        assert!(check_plan_validity(&s, &cfg, &good).is_empty());
    }
}
