//! The shape of an answer, as the GraphQL specification asks for it and client libraries
//! (Apollo's cache, graphql-request, gql) rely on.
//!
//! async-graphql resolves the fields of an object concurrently and inserts each as it
//! completes, and leaves a field that failed out of its object. The specification asks for the
//! keys in the order of the selection ("Response keys … ordered the same way as the fields
//! were selected") and for a field that failed to be present as `null` ("Handling Field
//! Errors"). Both are put right here, on the finished answer, before it is written out (and so
//! before the response cache keeps it).

use std::collections::{HashMap, HashSet};

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Name, PathSegment, Response, Value};

/// The declared type of every field of the schema's object and interface types, read once
/// from the SDL the schema prints (the one `schema.graphql` holds).
pub struct Shapes {
    fields: HashMap<(String, String), Type>,
}

impl Shapes {
    pub fn from_sdl(sdl: &str) -> Self {
        let mut fields = HashMap::new();
        if let Ok(doc) = async_graphql::parser::parse_schema(sdl) {
            for def in doc.definitions {
                if let TypeSystemDefinition::Type(t) = def {
                    let defs = match t.node.kind {
                        TypeKind::Object(o) => o.fields,
                        TypeKind::Interface(i) => i.fields,
                        _ => continue,
                    };
                    for f in defs {
                        fields.insert((t.node.name.node.to_string(), f.node.name.node.to_string()), f.node.ty.node);
                    }
                }
            }
        }
        Self { fields }
    }

    /// Whether each position along `path` may be null (a field, then a list element), from
    /// the root type `root`; `None` where the path leaves the schema.
    fn nullability(&self, root: &str, path: &[PathSegment]) -> Option<Vec<bool>> {
        let mut out = Vec::with_capacity(path.len());
        let mut current: Option<Type> = None;
        let mut parent = root.to_owned();
        for segment in path {
            let ty = match segment {
                PathSegment::Field(name) => self.fields.get(&(parent.clone(), name.to_string()))?.clone(),
                PathSegment::Index(_) => match current.as_ref().map(|t| &t.base) {
                    Some(BaseType::List(inner)) => (**inner).clone(),
                    _ => return None,
                },
            };
            out.push(ty.nullable);
            parent = crate::input_types::named(&ty).to_owned();
            current = Some(ty);
        }
        Some(out)
    }
}

/// Puts every field that failed in place as `null` — or, where the field may not be null, its
/// nearest ancestor that may ("Handling Field Errors": null propagates to the nearest nullable
/// parent, up to `data` itself) — and the keys of `data` in selection order.
pub fn conform(response: &mut Response, shapes: &Shapes, doc: &ExecutableDocument, operation: &OperationDefinition) {
    let root = match operation.ty {
        OperationType::Query => "Query",
        OperationType::Mutation => "Mutation",
        OperationType::Subscription => "Subscription",
    };
    let failed: Vec<Vec<PathSegment>> =
        response.errors.iter().filter(|e| !e.path.is_empty()).map(|e| e.path.clone()).collect();
    if !failed.is_empty() && response.data == Value::Null {
        response.data = Value::Object(IndexMap::new());
    }
    for path in failed {
        let Some(named) = field_names(&path, &operation.selection_set.node, doc) else { continue };
        let Some(nullable) = shapes.nullability(root, &named) else { continue };
        match nullable.iter().rposition(|n| *n) {
            Some(at) => set_null(&mut response.data, &path[..=at]),
            None => response.data = Value::Null,
        }
        if response.data == Value::Null {
            return;
        }
    }
    let sets = vec![&operation.selection_set.node];
    order(&mut response.data, &sets, doc);
}

/// The path with each response key (an alias, perhaps) replaced by the name of the field it
/// selects, following the selection; `None` where the path leaves it.
fn field_names(path: &[PathSegment], root: &SelectionSet, doc: &ExecutableDocument) -> Option<Vec<PathSegment>> {
    let mut sets = vec![root];
    let mut out = Vec::with_capacity(path.len());
    for segment in path {
        match segment {
            PathSegment::Index(i) => out.push(PathSegment::Index(*i)),
            PathSegment::Field(k) => {
                let mut selected = Vec::new();
                fields(&sets, doc, &mut selected);
                let (_, name, subs) = selected.into_iter().find(|(key, _, _)| *key == k.as_str())?;
                out.push(PathSegment::Field(name.to_owned()));
                sets = subs;
            }
        }
    }
    Some(out)
}

/// Sets the value at `path` to null (its parents must exist; a missing parent means an
/// ancestor was nulled already).
fn set_null(data: &mut Value, path: &[PathSegment]) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut at = data;
    for segment in parents {
        at = match (segment, at) {
            (PathSegment::Field(name), Value::Object(map)) => match map.get_mut(name.as_str()) {
                Some(v) => v,
                None => return,
            },
            (PathSegment::Index(i), Value::List(items)) => match items.get_mut(*i) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    match (last, at) {
        (PathSegment::Field(name), Value::Object(map)) => {
            map.insert(Name::new(name), Value::Null);
        }
        (PathSegment::Index(i), Value::List(items)) => {
            if let Some(v) = items.get_mut(*i) {
                *v = Value::Null;
            }
        }
        _ => {}
    }
}

/// The response key of a field: its alias, or its name.
fn key(f: &Field) -> &str {
    f.alias.as_ref().map_or(f.name.node.as_str(), |a| a.node.as_str())
}

/// Every field of `sets` (fragments flattened, in document order) with the sub-selections of
/// each response key gathered in order.
#[allow(clippy::type_complexity)]
fn fields<'a>(
    sets: &[&'a SelectionSet],
    doc: &'a ExecutableDocument,
    out: &mut Vec<(&'a str, &'a str, Vec<&'a SelectionSet>)>,
) {
    for set in sets {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let k = key(&f.node);
                    match out.iter_mut().find(|(key, _, _)| *key == k) {
                        Some((_, _, subs)) => subs.push(&f.node.selection_set.node),
                        None => out.push((k, f.node.name.node.as_str(), vec![&f.node.selection_set.node])),
                    }
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                        fields(&[&fragment.node.selection_set.node], doc, out);
                    }
                }
                Selection::InlineFragment(i) => fields(&[&i.node.selection_set.node], doc, out),
            }
        }
    }
}

fn order(value: &mut Value, sets: &[&SelectionSet], doc: &ExecutableDocument) {
    match value {
        Value::List(items) => {
            for item in items {
                order(item, sets, doc);
            }
        }
        Value::Object(map) => {
            let mut selected = Vec::new();
            fields(sets, doc, &mut selected);
            if selected.is_empty() {
                return;
            }
            let mut old = std::mem::take(map);
            let mut ordered = IndexMap::with_capacity(old.len());
            let mut seen = HashSet::with_capacity(selected.len());
            for (k, _, subs) in &selected {
                if !seen.insert(*k) {
                    continue;
                }
                if let Some((name, mut v)) = old.shift_remove_entry(*k) {
                    order(&mut v, subs, doc);
                    ordered.insert(name, v);
                }
            }
            // Anything the selection does not name (none expected) keeps its place at the end.
            ordered.extend(old.drain(..));
            *map = ordered;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(q: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(q).unwrap()
    }

    #[test]
    fn keys_follow_the_selection_and_failed_fields_are_null() {
        let d = doc("query { me { id } cities { slug name } ...F } fragment F on Query { newcomers { totalCount } }");
        let op = match &d.operations {
            async_graphql::parser::types::DocumentOperations::Single(op) => op.node.clone(),
            _ => unreachable!(),
        };
        let data = async_graphql::value!({
            "newcomers": { "totalCount": 3 },
            "cities": [{ "name": "Almere", "slug": "almere" }],
        });
        let mut response = Response::new(data);
        let mut error = async_graphql::ServerError::new("no", None);
        error.path = vec![PathSegment::Field("me".into())];
        response.errors.push(error);
        let shapes = Shapes::from_sdl(
            "type Query { me: User cities: [City!]! newcomers: Conn! } type User { id: ID! } type City { slug: String! name: String! } type Conn { totalCount: Int! }",
        );
        conform(&mut response, &shapes, &d, &op);
        let json = serde_json::to_string(&response.data).unwrap();
        assert_eq!(json, r#"{"me":null,"cities":[{"slug":"almere","name":"Almere"}],"newcomers":{"totalCount":3}}"#);
        // A field that may not be null takes its nearest nullable parent with it.
        let d = doc("{ me { id } }");
        let op = match &d.operations {
            async_graphql::parser::types::DocumentOperations::Single(op) => op.node.clone(),
            _ => unreachable!(),
        };
        let mut response = Response::new(async_graphql::value!({ "me": {} }));
        let mut error = async_graphql::ServerError::new("no", None);
        error.path = vec![PathSegment::Field("me".into()), PathSegment::Field("id".into())];
        response.errors.push(error);
        conform(&mut response, &shapes, &d, &op);
        assert_eq!(serde_json::to_string(&response.data).unwrap(), r#"{"me":null}"#);
    }
}
