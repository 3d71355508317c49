//! What checking inputs needs to know of the schema (its enums, input objects and the
//! arguments of its fields), read once from the SDL the schema prints; shared by the
//! validation rules (`validation`) and the variables' coercion (`variables`).

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

/// What checking values needs to know of the schema: its enums, its input objects and their
/// fields, and the arguments and named types of the fields of its objects and interfaces;
/// read once from the SDL the schema prints.
#[derive(Default)]
pub struct InputTypes {
    pub(crate) enums: HashMap<String, HashSet<String>>,
    pub(crate) objects: HashMap<String, Vec<InputField>>,
    /// (type, field) -> its arguments.
    pub(crate) args: HashMap<(String, String), Vec<InputField>>,
    /// (type, field) -> the named type it returns.
    pub(crate) outputs: HashMap<(String, String), String>,
}

/// An input field or an argument.
pub(crate) struct InputField {
    pub(crate) name: String,
    pub(crate) ty: Type,
    pub(crate) has_default: bool,
}

fn input_field(f: async_graphql::parser::types::InputValueDefinition) -> InputField {
    InputField { name: f.name.node.to_string(), ty: f.ty.node, has_default: f.default_value.is_some() }
}

/// The named type at the bottom of a list or non-null type.
pub(crate) fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(n) => n.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

impl InputTypes {
    pub fn from_sdl(sdl: &str) -> Self {
        let mut types = Self::default();
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else { return types };
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else { continue };
            let name = t.node.name.node.to_string();
            match t.node.kind {
                TypeKind::Enum(e) => {
                    types.enums.insert(name, e.values.into_iter().map(|v| v.node.value.node.to_string()).collect());
                }
                TypeKind::InputObject(o) => {
                    types.objects.insert(name, o.fields.into_iter().map(|f| input_field(f.node)).collect());
                }
                TypeKind::Object(async_graphql::parser::types::ObjectType { fields, .. })
                | TypeKind::Interface(async_graphql::parser::types::InterfaceType { fields, .. }) => {
                    for f in fields {
                        let key = (name.clone(), f.node.name.node.to_string());
                        types.outputs.insert(key.clone(), named(&f.node.ty.node).to_owned());
                        types.args.insert(key, f.node.arguments.into_iter().map(|a| input_field(a.node)).collect());
                    }
                }
                _ => {}
            }
        }
        types
    }
}

/// A value of `ty` that passes every check of its type, to validate a document without the
/// variables its request sent (see `variables::reject`): complexity counts read arguments.
pub fn placeholder(types: &InputTypes, ty: &Type) -> async_graphql::Value {
    use async_graphql::Value as V;
    if ty.nullable {
        return V::Null;
    }
    match &ty.base {
        BaseType::List(_) => V::List(Vec::new()),
        BaseType::Named(n) => match n.as_str() {
            "Int" => V::from(1),
            "Float" => V::from(1.0),
            "Boolean" => V::Boolean(false),
            "Date" => V::from("2000-01-01"),
            "DateTime" => V::from("2000-01-01T00:00:00+00:00"),
            "String" | "ID" => V::from("x"),
            other => {
                if let Some(values) = types.enums.get(other) {
                    let mut sorted: Vec<&String> = values.iter().collect();
                    sorted.sort();
                    return sorted.first().map(|v| V::Enum(async_graphql::Name::new(v))).unwrap_or(V::Null);
                }
                match types.objects.get(other) {
                    Some(fields) => V::Object(
                        fields
                            .iter()
                            .filter(|f| !f.ty.nullable && !f.has_default)
                            .map(|f| (async_graphql::Name::new(&f.name), placeholder(types, &f.ty)))
                            .collect(),
                    ),
                    None => V::Null,
                }
            }
        },
    }
}
