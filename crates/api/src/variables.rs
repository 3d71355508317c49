//! Variable coercion, as the specification orders it ("Coercing Variable Values"): a request
//! whose document is valid but whose variables do not fit their declared types is a request
//! error, answered before anything runs, with one code (BAD_USER_INPUT) and
//! `extensions.variable` (the variable) and `extensions.field` (where in it: `arrivalDate`,
//! `languages[1].level`, or the variable's own name). async-graphql checks variable values while
//! it validates the document and leaves a missing required variable to the field that reads it,
//! so its answers disagree with graphql-js's: a typo in an enum variable was a validation error,
//! a missing variable a field error without `field`.
//!
//! The document is validated first, as graphql-js does (`validate`, then `coerceVariableValues`):
//! when variables do not coerce, the server asks async-graphql to validate the document with
//! values that fit in place of the ones sent ([`placeholders`]; its complexity count reads
//! arguments such as `first`), running nothing ([`ValidateOnly`]), and answers its validation
//! errors if there are any.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::parser::types::{BaseType, OperationDefinition, Type};
use async_graphql::{ErrorExtensionValues, Name, Pos, Response, ScalarType, ServerError, Value, Variables};

pub use crate::input_types::InputTypes;
use crate::scalars::{Date, Timestamp};

/// One variable that does not fit its type.
#[derive(Debug, Clone, PartialEq)]
pub struct VariableError {
    pub message: String,
    /// The variable's name, without `$`.
    pub variable: String,
    /// Where in the variable: an input field's path, or the variable's name.
    pub field: String,
    /// The variable's definition in the document.
    pub pos: Pos,
}

impl VariableError {
    pub fn into_server_error(self) -> ServerError {
        let mut e = ServerError::new(self.message, Some(self.pos));
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", "BAD_USER_INPUT");
        ext.set("variable", self.variable);
        ext.set("field", self.field);
        e.extensions = Some(ext);
        e
    }
}

/// Checks the variables of `op` against their declared types; empty when they all fit.
pub fn coerce(types: &InputTypes, op: &OperationDefinition, variables: &Variables) -> Vec<VariableError> {
    let mut errors = Vec::new();
    for def in &op.variable_definitions {
        let name = def.node.name.node.as_str();
        let ty = &def.node.var_type.node;
        let mut report = |field: String, message: String| {
            errors.push(VariableError { message, variable: name.to_owned(), field, pos: def.pos });
        };
        match variables.get(&Name::new(name)) {
            None if !ty.nullable && def.node.default_value.is_none() => {
                report(name.to_owned(), format!("Variable \"${name}\" of required type \"{ty}\" was not provided."));
            }
            None => {}
            Some(Value::Null) if !ty.nullable => {
                report(name.to_owned(), format!("Variable \"${name}\" of non-null type \"{ty}\" must not be null."));
            }
            Some(value) => {
                let mut problems = Vec::new();
                check(types, value, ty, name.to_owned(), &mut problems);
                for (path, why) in problems {
                    let at = if path == name { String::new() } else { format!(" at \"{path}\"") };
                    let field = path.strip_prefix(&format!("{name}.")).unwrap_or(&path).to_owned();
                    report(field, format!("Variable \"${name}\" got invalid value{at}; {why}"));
                }
            }
        }
    }
    errors
}

/// Collects what does not fit in `value` as (path, reason).
fn check(types: &InputTypes, value: &Value, ty: &Type, path: String, out: &mut Vec<(String, String)>) {
    if matches!(value, Value::Null) {
        if !ty.nullable {
            out.push((path, format!("expected a value of type \"{ty}\", found null.")));
        }
        return;
    }
    match &ty.base {
        BaseType::List(item) => match value {
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    check(types, v, item, format!("{path}[{i}]"), out);
                }
            }
            // A single value where a list is expected is a list of one ("Input Coercion").
            other => check(types, other, item, path, out),
        },
        BaseType::Named(named) => check_named(types, value, named.as_str(), path, out),
    }
}

fn check_named(types: &InputTypes, value: &Value, named: &str, path: String, out: &mut Vec<(String, String)>) {
    if let Some(values) = types.enums.get(named) {
        let given = match value {
            Value::String(s) => Some(s.as_str()),
            Value::Enum(n) => Some(n.as_str()),
            _ => None,
        };
        if !given.is_some_and(|g| values.contains(g)) {
            out.push((path, format!("{} is not a value of the enum \"{named}\".", shown(value))));
        }
        return;
    }
    if let Some(fields) = types.objects.get(named) {
        let Value::Object(given) = value else {
            out.push((path, format!("expected an object of type \"{named}\", found {}.", shown(value))));
            return;
        };
        for f in fields {
            match given.get(&Name::new(&f.name)) {
                None if !f.ty.nullable && !f.has_default => out.push((
                    format!("{path}.{}", f.name),
                    format!("the field \"{}\" of required type \"{}\" was not provided.", f.name, f.ty),
                )),
                None => {}
                Some(v) => check(types, v, &f.ty, format!("{path}.{}", f.name), out),
            }
        }
        for key in given.keys() {
            if !fields.iter().any(|f| f.name == key.as_str()) {
                out.push((
                    format!("{path}.{key}"),
                    format!("the field \"{key}\" is not defined by the type \"{named}\"."),
                ));
            }
        }
        return;
    }
    let fits = match named {
        "Int" => matches!(value, Value::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok())),
        "Float" => matches!(value, Value::Number(_)),
        "String" => matches!(value, Value::String(_)),
        "Boolean" => matches!(value, Value::Boolean(_)),
        "ID" => matches!(value, Value::String(_)) || matches!(value, Value::Number(n) if n.is_i64() || n.is_u64()),
        "Date" => Date::parse(value.clone()).is_ok(),
        "DateTime" => Timestamp::parse(value.clone()).is_ok(),
        // JSON takes any value; a type this table does not know is left to validation.
        _ => true,
    };
    if !fits {
        let expected = match named {
            "Int" => "a 32-bit integer",
            "Float" => "a number",
            "String" => "a string",
            "Boolean" => "true or false",
            "ID" => "a string or an integer",
            "Date" => "a date of the form YYYY-MM-DD",
            "DateTime" => "an RFC 3339 date and time",
            _ => "a value of this type",
        };
        out.push((path, format!("{named} expects {expected}, found {}.", shown(value))));
    }
}

/// A value as the message quotes it (JSON).
fn shown(value: &Value) -> String {
    value.clone().into_json().map(|j| j.to_string()).unwrap_or_else(|_| "a value".to_owned())
}

/// Request data: validate the document, run nothing (see the module's documentation).
pub struct ValidateOnly;

/// Stops a request marked [`ValidateOnly`] after validation.
pub struct ValidateOnlyExtension;

impl ExtensionFactory for ValidateOnlyExtension {
    fn create(&self) -> std::sync::Arc<dyn Extension> {
        std::sync::Arc::new(ValidateOnlyExtension)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ValidateOnlyExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if ctx.data_opt::<ValidateOnly>().is_some() {
            return Response::default();
        }
        next.run(ctx, operation_name).await
    }
}

/// Values that fit the variables of `op`, to validate its document without the values sent.
pub fn placeholders(types: &InputTypes, op: &OperationDefinition) -> Variables {
    let mut vars = Variables::default();
    for def in &op.variable_definitions {
        vars.insert(def.node.name.node.clone(), crate::input_types::placeholder(types, &def.node.var_type.node));
    }
    vars
}

/// What the checks before a request runs decided.
pub enum Precheck {
    /// Run it.
    Run,
    /// The document breaks a rule of validation async-graphql does not hold.
    Refused(Vec<ServerError>),
    /// Variables that do not fit, and values that would, to validate the document with.
    Misfits(Vec<VariableError>, Variables),
}

/// The checks of a parsed document and its variables before the request runs.
pub fn precheck(
    types: &InputTypes,
    doc: Option<&async_graphql::parser::types::ExecutableDocument>,
    request: &async_graphql::Request,
) -> Precheck {
    let Some(doc) = doc else { return Precheck::Run };
    let refused = crate::validation::check(types, doc, &request.query);
    if !refused.is_empty() {
        return Precheck::Refused(refused);
    }
    let Some(op) = crate::response_cache::selected_operation(doc, request.operation_name.as_deref()) else {
        return Precheck::Run;
    };
    let misfits = coerce(types, op, &request.variables);
    if misfits.is_empty() { Precheck::Run } else { Precheck::Misfits(misfits, placeholders(types, op)) }
}

impl Precheck {
    /// The answer when the request must not run.
    pub async fn answer(self, schema: &crate::AppSchema, request: &async_graphql::Request) -> Option<Response> {
        match self {
            Precheck::Run => None,
            Precheck::Refused(errors) => Some(Response::from_errors(errors)),
            Precheck::Misfits(errors, placeholders) => Some(reject(schema, request, placeholders, errors).await),
        }
    }
}

/// The answer to a request whose variables do not fit: the document's validation errors if it
/// has any (checked with `placeholders` for the values: complexity counts read arguments),
/// otherwise the variables' errors.
async fn reject(
    schema: &crate::AppSchema,
    request: &async_graphql::Request,
    placeholders: Variables,
    errors: Vec<VariableError>,
) -> Response {
    let mut check = async_graphql::Request::new(request.query.clone()).variables(placeholders).data(ValidateOnly);
    check.operation_name = request.operation_name.clone();
    let validated = crate::execute(schema, check).await;
    if validated.errors.is_empty() {
        Response::from_errors(errors.into_iter().map(VariableError::into_server_error).collect())
    } else {
        validated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = r#"
        scalar Date
        enum Status { WAITING MATCHED }
        input Skill { code: String! level: Status! }
        input Person { name: String! born: Date! skills: [Skill!]! note: String = "none" }
        type Query { a(p: Person!, s: Status, ids: [ID!]): Int }
    "#;

    fn errors(doc: &str, vars: serde_json::Value) -> Vec<(String, String)> {
        let types = InputTypes::from_sdl(SDL);
        let parsed = async_graphql::parser::parse_query(doc).unwrap();
        let op = match &parsed.operations {
            async_graphql::parser::types::DocumentOperations::Single(op) => &op.node,
            async_graphql::parser::types::DocumentOperations::Multiple(_) => unreachable!(),
        };
        coerce(&types, op, &Variables::from_json(vars)).into_iter().map(|e| (e.variable, e.field)).collect()
    }

    #[test]
    fn each_misfit_names_the_variable_and_the_field() {
        let doc = "query($p: Person!, $s: Status, $ids: [ID!]) { a(p: $p, s: $s, ids: $ids) }";
        let ok = serde_json::json!({"p": {"name": "A", "born": "2020-01-31", "skills": [{"code": "ar", "level": "WAITING"}]}});
        assert_eq!(errors(doc, ok.clone()), vec![]);
        // A single value where a list is expected is a list of one.
        let mut one = ok.clone();
        one["p"]["skills"] = serde_json::json!({"code": "ar", "level": "MATCHED"});
        one["ids"] = serde_json::json!(7);
        assert_eq!(errors(doc, one), vec![]);
        assert_eq!(errors(doc, serde_json::json!({})), vec![("p".to_owned(), "p".to_owned())]);
        let bad = serde_json::json!({
            "p": {"name": 3, "born": "yesterday", "skills": [{"code": "ar", "level": "WAITNG"}], "x": 1},
            "s": "MATCHD",
            "ids": [1.5]
        });
        assert_eq!(
            errors(doc, bad),
            vec![
                ("p".to_owned(), "name".to_owned()),
                ("p".to_owned(), "born".to_owned()),
                ("p".to_owned(), "skills[0].level".to_owned()),
                ("p".to_owned(), "x".to_owned()),
                ("s".to_owned(), "s".to_owned()),
                ("ids".to_owned(), "ids[0]".to_owned()),
            ]
        );
        assert_eq!(
            errors("query($p: Person!) { a(p: $p) }", serde_json::json!({"p": {"name": "A", "born": "2020-01-01"}})),
            vec![("p".to_owned(), "skills".to_owned())]
        );
        assert_eq!(
            errors(
                "query($s: Status = WAITING) { a(p: {name: \"A\", born: \"2020-01-01\", skills: []}, s: $s) }",
                serde_json::json!({})
            ),
            vec![]
        );
    }
}
