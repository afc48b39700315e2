//! The OpenAPI document (`/api/v1/openapi.json`, rendered at `/api/v1/docs`): the routes and
//! their answer types as derived from the handlers, and the `Application` schema built at start
//! from the field declarations of the rule sets the server runs, so that a product's own field
//! is documented without a line of Rust.
//!
//! Products may ask different fields, and a product's versions may too. The document has one
//! `Application`: every field any of them asks, each described with the products (and, when not
//! all of a product's versions ask it, the versions) that do. A product ignores a field it does
//! not ask, with a warning in the decision.

use std::collections::BTreeMap;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::{ErrorBody, ErrorDetail};
use super::public::{
    self, APPLICATION_SCHEMA, CheckRequest, DecisionDoc, FieldIssueDoc, Health, IndicativeDoc,
    ReasonDoc, RuleSetInfoDoc, RuleSetRefDoc, RuleSets, SkippedDoc, StoreHealth,
};
use super::staff::{self, AuditEntry, CaseCreated, CaseHistory, StaffDecisionInput};
use crate::Kredo;
use crate::fields::{Field, FieldDecl, Kind};
use crate::model::Language;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kredo",
        description = "Eligibility pre-screening for Belgian microcredit. The public check needs no login; staff routes need `Authorization: Bearer <token>` (made with `kredo staff add NAME`). Every decision is the same bytes as `kredo check` and the self-check page.",
        license(name = "EUPL-1.2")
    ),
    paths(
        public::healthz,
        public::check,
        public::rulesets,
        staff::create_case,
        staff::record_decision,
        staff::case_history,
        staff::batch_route,
    ),
    components(schemas(
        CheckRequest, DecisionDoc, RuleSetRefDoc, ReasonDoc, FieldIssueDoc, SkippedDoc, IndicativeDoc,
        ErrorBody, ErrorDetail, RuleSets, RuleSetInfoDoc, Health, StoreHealth, CaseCreated, StaffDecisionInput,
        AuditEntry, CaseHistory
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "public", description = "No login"),
        (name = "staff", description = "Bearer token of a staff member; every call is audited")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document as JSON text, for the rule sets `kredo` runs.
pub fn document(kredo: &Kredo) -> Result<String, serde_json::Error> {
    let mut doc = ApiDoc::openapi();
    doc.components
        .get_or_insert_with(Default::default)
        .schemas
        .insert(APPLICATION_SCHEMA.to_owned(), application(kredo).into());
    doc.to_json()
}

/// One field as the versions that ask it declare it, merged.
struct Asked<'a> {
    /// The first declaration: its texts describe the field.
    decl: &'a FieldDecl,
    /// The first compiled kind; a later one of another kind sets `kinds_differ`.
    field: &'a Field,
    kinds_differ: bool,
    /// Product → the versions that ask the field.
    by: BTreeMap<&'a str, Vec<&'a str>>,
    /// Every declaration says required.
    required: bool,
    /// Enum and purposes: every canonical value any version knows, first seen first.
    values: Vec<&'a str>,
    /// The loosest bounds: the schema accepts what any version accepts.
    min: i64,
    max: i64,
    max_length: usize,
    positive: bool,
}

impl<'a> Asked<'a> {
    fn new(field: &'a Field, decl: &'a FieldDecl) -> Asked<'a> {
        let mut asked = Asked {
            decl,
            field,
            kinds_differ: false,
            by: BTreeMap::new(),
            required: true,
            values: Vec::new(),
            min: i64::MAX,
            max: i64::MIN,
            max_length: 0,
            positive: true,
        };
        asked.add(field);
        asked
    }

    fn add(&mut self, field: &'a Field) {
        self.required &= field.required;
        if std::mem::discriminant(&field.kind) != std::mem::discriminant(&self.field.kind) {
            self.kinds_differ = true;
            return;
        }
        match &field.kind {
            Kind::Money { positive, .. } => self.positive &= *positive,
            Kind::Integer { min, max } => {
                self.min = self.min.min(*min);
                self.max = self.max.max(*max);
            }
            Kind::Enum { table, .. } | Kind::Purposes { table } => {
                for value in table.values() {
                    if !self.values.contains(&value) {
                        self.values.push(value);
                    }
                }
            }
            Kind::Text { max_length } => self.max_length = self.max_length.max(*max_length),
            Kind::Boolean | Kind::NaceCode | Kind::EnterpriseNumber | Kind::Date => {}
        }
    }
}

/// The `Application` schema: every field any version of any product asks.
fn application(kredo: &Kredo) -> Schema {
    let mut fields: Vec<Asked<'_>> = Vec::new();
    let mut versions: BTreeMap<&str, usize> = BTreeMap::new();
    for (product, sets) in kredo.registry().products() {
        versions.insert(product, sets.len());
        for rs in sets {
            for (field, decl) in rs.fields.iter().zip(rs.fields.declarations()) {
                let at = match fields.iter().position(|a| a.decl.name == field.name) {
                    Some(at) => {
                        if let Some(asked) = fields.get_mut(at) {
                            asked.add(field);
                        }
                        at
                    }
                    None => {
                        fields.push(Asked::new(field, decl));
                        fields.len() - 1
                    }
                };
                if let Some(asked) = fields.get_mut(at) {
                    asked.by.entry(product).or_default().push(&rs.version);
                }
            }
        }
    }
    let mut schema = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "The flat application (CONTRACT.md §2): every field any product asks. A product \
             ignores a field it does not ask, with an `unknown_field` warning in the decision. \
             A required field left out is no validation error: the product's rules see it \
             missing (`missing_required`).",
        ));
    for asked in &fields {
        let everywhere = versions
            .iter()
            .all(|(p, n)| asked.by.get(p).map(Vec::len) == Some(*n));
        schema = schema.property(&asked.decl.name, field_schema(asked, everywhere, &versions));
        if everywhere && asked.required {
            schema = schema.required(&asked.decl.name);
        }
    }
    schema.build().into()
}

fn field_schema(
    asked: &Asked<'_>,
    everywhere: bool,
    versions: &BTreeMap<&str, usize>,
) -> RefOr<Schema> {
    let mut description = String::new();
    if let Some(text) = asked.decl.text.get(Language::En.as_str()) {
        description.push_str(&text.label);
        if let Some(hint) = &text.hint {
            description.push_str("\n\n");
            description.push_str(hint);
        }
    }
    if !everywhere {
        let by: Vec<String> = asked
            .by
            .iter()
            .map(|(product, asking)| {
                if versions.get(product) == Some(&asking.len()) {
                    format!("`{product}`")
                } else {
                    format!("`{product}` (versions {})", asking.join(", "))
                }
            })
            .collect();
        description.push_str("\n\nAsked by ");
        description.push_str(&by.join(", "));
        description.push('.');
    }
    if asked.kinds_differ {
        description.push_str("\n\nIts kind differs between products.");
        return ObjectBuilder::new()
            .schema_type(SchemaType::AnyValue)
            .description(Some(description))
            .into();
    }
    kind_schema(asked, description)
}

/// A money amount: a decimal string, or a JSON number read by its text (never a float).
fn money() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Number]))
}

/// The JSON schema of a kind, described by `description` and what the kind means to a reader.
fn kind_schema(asked: &Asked<'_>, mut description: String) -> RefOr<Schema> {
    let string = || ObjectBuilder::new().schema_type(Type::String);
    let values = || asked.values.iter().map(|v| serde_json::Value::from(*v));
    let (builder, about) = match &asked.field.kind {
        Kind::Money { .. } => (
            money(),
            Some(if asked.positive {
                "An amount in euro, more than 0: a decimal text like `\"12000.00\"` or a JSON number."
            } else {
                "An amount in euro: a decimal text like `\"12000.00\"` or a JSON number."
            }),
        ),
        Kind::Integer { .. } => (
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(asked.min))
                // No `max` declared is no bound, not `i64::MAX`.
                .maximum((asked.max != i64::MAX).then_some(asked.max)),
            None,
        ),
        Kind::Enum { accept_number, .. } => {
            let types: SchemaType = if *accept_number {
                SchemaType::from_iter([Type::String, Type::Number])
            } else {
                Type::String.into()
            };
            (
                ObjectBuilder::new()
                    .schema_type(types)
                    .enum_values(Some(values())),
                Some(
                    "The canonical values; other spellings the product knows are read as them, \
                     and `normalized` holds the canonical one.",
                ),
            )
        }
        Kind::Boolean => (ObjectBuilder::new().schema_type(Type::Boolean), None),
        Kind::Text { .. } => (string().max_length(Some(asked.max_length)), None),
        Kind::NaceCode => (
            string(),
            Some("A NACE-BEL code; `normalized` holds it as `dd.ddd`."),
        ),
        Kind::EnterpriseNumber => (
            string(),
            Some("A KBO/BCE enterprise number; `normalized` holds it as `0566.988.259`."),
        ),
        Kind::Date => (
            string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            None,
        ),
        Kind::Purposes { .. } => {
            let item = ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(
                    "category",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(values())),
                )
                .property("amount_eur", money())
                .required("category")
                .required("amount_eur");
            description
                .push_str("\n\nWhat the credit is for: a category and an amount in euro each.");
            return ArrayBuilder::new()
                .items(item)
                .description(Some(description))
                .into();
        }
    };
    if let Some(about) = about {
        description.push_str("\n\n");
        description.push_str(about);
    }
    builder.description(Some(description)).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_application_schema_comes_from_the_declarations() {
        let kredo = Kredo::embedded().unwrap();
        let doc: serde_json::Value = serde_json::from_str(&document(&kredo).unwrap()).unwrap();
        let app = &doc["components"]["schemas"][APPLICATION_SCHEMA];
        let rs = kredo
            .registry()
            .products()
            .next()
            .unwrap()
            .1
            .last()
            .unwrap();
        for field in rs.fields.iter() {
            assert!(
                app["properties"][&field.name].is_object(),
                "{} missing: {app}",
                field.name
            );
        }
        let required: Vec<&str> = app["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let declared: Vec<&str> = rs
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(
            required
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            declared.into_iter().collect()
        );
        // Enums list their canonical values; the request and the decision point at the schema.
        let enums = rs.fields.iter().find_map(|f| match &f.kind {
            Kind::Enum { table, .. } => Some((f.name.as_str(), table.values().collect::<Vec<_>>())),
            _ => None,
        });
        let (name, values) = enums.unwrap();
        assert_eq!(app["properties"][name]["enum"], serde_json::json!(values));
        assert_eq!(
            doc["components"]["schemas"]["CheckRequest"]["properties"]["application"]["$ref"],
            "#/components/schemas/Application"
        );
    }
}
