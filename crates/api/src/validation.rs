//! The rules of GraphQL validation that async-graphql 7.2 does not hold, checked before it
//! runs, so that the server refuses exactly the documents graphql-js's `validate` refuses (the
//! CI conformance step compares the two on a corpus, `tests/conformance/validation.mjs`):
//!
//! - "All Variable Usages Are Allowed": async-graphql's rule reports nothing (a `$id: Int!` in
//!   an `ID!` position ran);
//! - "Values of Correct Type" for literals: a string where an enum is expected
//!   (`status: "READY"`), a scalar where an input object is expected;
//! - "Input Object Field Uniqueness": the parser keeps the last of two equal keys, so they are
//!   found in the text;
//! - a fragment spread named `on` is a syntax error;
//! - documents async-graphql's parser refuses for what the specification calls validation
//!   (two operations of one name, an anonymous operation beside others, two fragments of one
//!   name, a type definition among operations) answer GRAPHQL_VALIDATION_FAILED, not
//!   GRAPHQL_PARSE_FAILED.

use std::collections::HashSet;

use async_graphql::parser::types::{
    BaseType, Directive, DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    SelectionSet, Type, VariableDefinition,
};
use async_graphql::{ErrorExtensionValues, Positioned, ServerError};
// The values of a document (with variables); `async_graphql::Value` is the constant kind.
use async_graphql_value::Value;

use crate::input_types::InputTypes;

/// The code of a document async-graphql could not parse: GRAPHQL_PARSE_FAILED for a syntax
/// error, GRAPHQL_VALIDATION_FAILED for what the specification counts as validation.
pub fn parse_error_code(err: &async_graphql::parser::Error, query: &str) -> &'static str {
    use async_graphql::parser::Error;
    match err {
        Error::Syntax { start, .. } => {
            // A type system definition among operations parses in graphql-js and fails its
            // rule "Executable Definitions".
            let rest = offset(query, start.line, start.column).map(|o| &query[o..]).unwrap_or_default();
            let keyword = rest.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or_default();
            let definitions =
                ["type", "schema", "scalar", "interface", "union", "enum", "input", "extend", "directive"];
            if definitions.contains(&keyword) { "GRAPHQL_VALIDATION_FAILED" } else { "GRAPHQL_PARSE_FAILED" }
        }
        // Nothing but white space, commas and comments: graphql-js finds no definition to parse.
        Error::MissingOperation if tokens(query).is_empty() && !query.contains('"') => "GRAPHQL_PARSE_FAILED",
        Error::RecursionLimitExceeded => "GRAPHQL_PARSE_FAILED",
        _ => "GRAPHQL_VALIDATION_FAILED",
    }
}

/// The byte offset of a 1-based line and column (columns count characters).
fn offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let line_text = text.get(start..)?;
    line_text.char_indices().nth(column.saturating_sub(1)).map(|(i, _)| start + i)
}

/// The errors of the rules above in a parsed document; empty when it passes them.
pub fn check(types: &InputTypes, doc: &ExecutableDocument, query: &str) -> Vec<ServerError> {
    let mut out = duplicate_input_fields(query);
    let operations: Vec<&Positioned<OperationDefinition>> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    for op in operations {
        let root = match op.node.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => "Subscription",
        };
        let mut walk = Walk { types, doc, defs: &op.node.variable_definitions, out: &mut out, seen: HashSet::new() };
        walk.directives(&op.node.directives);
        walk.selections(&op.node.selection_set.node, root);
    }
    out
}

struct Walk<'a, 'o> {
    types: &'a InputTypes,
    doc: &'a ExecutableDocument,
    defs: &'a [Positioned<VariableDefinition>],
    out: &'o mut Vec<ServerError>,
    seen: HashSet<&'a str>,
}

impl<'a> Walk<'a, '_> {
    fn selections(&mut self, set: &'a SelectionSet, parent: &str) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let key = (parent.to_owned(), f.node.name.node.to_string());
                    if let Some(args) = self.types.args.get(&key) {
                        for (name, value) in &f.node.arguments {
                            if let Some(arg) = args.iter().find(|a| a.name == name.node.as_str()) {
                                self.value(&value.node, &arg.ty, arg.has_default, value.pos);
                            }
                        }
                    }
                    self.directives(&f.node.directives);
                    if let Some(child) = self.types.outputs.get(&key).cloned() {
                        self.selections(&f.node.selection_set.node, &child);
                    }
                }
                Selection::FragmentSpread(s) => {
                    self.directives(&s.node.directives);
                    let name = s.node.fragment_name.node.as_str();
                    if name == "on" {
                        let mut e = ServerError::new("Syntax Error: Unexpected Name \"on\".", Some(s.pos));
                        let mut ext = ErrorExtensionValues::default();
                        ext.set("code", "GRAPHQL_PARSE_FAILED");
                        e.extensions = Some(ext);
                        self.out.push(e);
                    }
                    if let Some(fragment) = self.doc.fragments.get(name)
                        && self.seen.insert(name)
                    {
                        let on = fragment.node.type_condition.node.on.node.to_string();
                        self.directives(&fragment.node.directives);
                        self.selections(&fragment.node.selection_set.node, &on);
                    }
                }
                Selection::InlineFragment(i) => {
                    self.directives(&i.node.directives);
                    let on = i.node.type_condition.as_ref().map(|c| c.node.on.node.to_string());
                    self.selections(&i.node.selection_set.node, on.as_deref().unwrap_or(parent));
                }
            }
        }
    }

    /// `@skip` and `@include` take `if: Boolean!`; other directives are refused elsewhere.
    fn directives(&mut self, directives: &'a [Positioned<Directive>]) {
        let boolean = Type { base: BaseType::Named(async_graphql::Name::new("Boolean")), nullable: false };
        for d in directives {
            if matches!(d.node.name.node.as_str(), "skip" | "include") {
                for (name, value) in &d.node.arguments {
                    if name.node.as_str() == "if" {
                        self.value(&value.node, &boolean, false, value.pos);
                    }
                }
            }
        }
    }

    fn value(&mut self, value: &Value, ty: &Type, location_default: bool, pos: async_graphql::Pos) {
        match value {
            Value::Variable(name) => {
                let Some(def) = self.defs.iter().find(|d| d.node.name.node == *name) else { return };
                let has_default = def.node.default_value.as_ref().is_some_and(|v| v.node != async_graphql::Value::Null);
                if !usage_allowed(&def.node.var_type.node, has_default, ty, location_default) {
                    self.out.push(ServerError::new(
                        format!(
                            "Variable \"${name}\" of type \"{}\" used in position expecting type \"{ty}\".",
                            def.node.var_type.node
                        ),
                        Some(pos),
                    ));
                }
            }
            Value::Null => {}
            _ => match &ty.base {
                BaseType::List(item) => match value {
                    Value::List(items) => items.iter().for_each(|v| self.value(v, item, false, pos)),
                    other => self.value(other, item, false, pos),
                },
                BaseType::Named(n) => self.named(value, n.as_str(), pos),
            },
        }
    }

    fn named(&mut self, value: &Value, type_name: &str, pos: async_graphql::Pos) {
        if self.types.enums.contains_key(type_name) {
            if let Value::String(s) = value {
                self.out.push(ServerError::new(
                    format!("Enum \"{type_name}\" cannot represent non-enum value: {s:?}. Did you mean the enum value without quotes?"),
                    Some(pos),
                ));
            }
            return;
        }
        let Some(fields) = self.types.objects.get(type_name) else { return };
        match value {
            Value::Object(given) => {
                for (key, v) in given {
                    if let Some(f) = fields.iter().find(|f| f.name == key.as_str()) {
                        self.value(v, &f.ty, f.has_default, pos);
                    }
                }
            }
            other => self
                .out
                .push(ServerError::new(format!("Expected value of type \"{type_name}\", found {other}."), Some(pos))),
        }
    }
}

/// "All Variable Usages Are Allowed" (IsVariableUsageAllowed of the specification).
fn usage_allowed(var: &Type, var_default: bool, location: &Type, location_default: bool) -> bool {
    if !location.nullable && var.nullable {
        if !var_default && !location_default {
            return false;
        }
        return compatible(var, &nullable(location));
    }
    compatible(var, location)
}

fn nullable(ty: &Type) -> Type {
    Type { base: ty.base.clone(), nullable: true }
}

fn compatible(var: &Type, location: &Type) -> bool {
    if !location.nullable {
        return !var.nullable && compatible(&nullable(var), &nullable(location));
    }
    if !var.nullable {
        return compatible(&nullable(var), location);
    }
    match (&var.base, &location.base) {
        (BaseType::List(a), BaseType::List(b)) => compatible(a, b),
        (BaseType::Named(a), BaseType::Named(b)) => a == b,
        _ => false,
    }
}

/// "Input Object Field Uniqueness", read from the text: inside parentheses (arguments,
/// variable definitions, directive arguments) every `{` opens an object value, and a name
/// followed by `:` at its top level is one of its keys.
fn duplicate_input_fields(query: &str) -> Vec<ServerError> {
    enum Frame {
        Paren,
        Bracket,
        Selection,
        Object(HashSet<String>),
    }
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let tokens = tokens(query);
    for (i, (tok, line, column)) in tokens.iter().enumerate() {
        match tok.as_str() {
            "(" => stack.push(Frame::Paren),
            "[" => stack.push(Frame::Bracket),
            "{" => {
                let in_value = matches!(stack.last(), Some(Frame::Paren | Frame::Bracket | Frame::Object(_)));
                stack.push(if in_value { Frame::Object(HashSet::new()) } else { Frame::Selection });
            }
            ")" | "]" | "}" => {
                stack.pop();
            }
            name if name.starts_with(|c: char| c == '_' || c.is_ascii_alphabetic()) => {
                let is_key = tokens.get(i + 1).is_some_and(|(t, _, _)| t == ":")
                    && !matches!(tokens.get(i.wrapping_sub(1)), Some((t, _, _)) if t == "$");
                if let (true, Some(Frame::Object(keys))) = (is_key, stack.last_mut())
                    && !keys.insert(name.to_owned())
                {
                    out.push(ServerError::new(
                        format!("There can be only one input field named \"{name}\"."),
                        Some(async_graphql::Pos { line: *line, column: *column }),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// The punctuators and names of a document with their positions; strings, numbers and
/// comments are skipped (they cannot hold structure).
fn tokens(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    let advance = |i: &mut usize, line: &mut usize, col: &mut usize, chars: &[char]| {
        if chars.get(*i) == Some(&'\n') {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                advance(&mut i, &mut line, &mut col, &chars);
            }
        } else if c == '"' {
            let block = chars.get(i + 1) == Some(&'"') && chars.get(i + 2) == Some(&'"');
            let quote = if block { 3 } else { 1 };
            for _ in 0..quote {
                advance(&mut i, &mut line, &mut col, &chars);
            }
            while i < chars.len() {
                if block && chars[i] == '"' && chars.get(i + 1) == Some(&'"') && chars.get(i + 2) == Some(&'"') {
                    for _ in 0..3 {
                        advance(&mut i, &mut line, &mut col, &chars);
                    }
                    break;
                }
                if !block && chars[i] == '\\' {
                    advance(&mut i, &mut line, &mut col, &chars);
                } else if !block && chars[i] == '"' {
                    advance(&mut i, &mut line, &mut col, &chars);
                    break;
                }
                advance(&mut i, &mut line, &mut col, &chars);
            }
        } else if c == '_' || c.is_ascii_alphabetic() {
            let (l, cl) = (line, col);
            let mut name = String::new();
            while i < chars.len() && (chars[i] == '_' || chars[i].is_ascii_alphanumeric()) {
                name.push(chars[i]);
                advance(&mut i, &mut line, &mut col, &chars);
            }
            out.push((name, l, cl));
        } else if "{}()[]:$".contains(c) {
            out.push((c.to_string(), line, col));
            advance(&mut i, &mut line, &mut col, &chars);
        } else {
            advance(&mut i, &mut line, &mut col, &chars);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> Type {
        Type::new(s).unwrap()
    }

    #[test]
    fn variable_usages_follow_the_specification() {
        assert!(usage_allowed(&ty("ID!"), false, &ty("ID!"), false));
        assert!(usage_allowed(&ty("ID!"), false, &ty("ID"), false));
        assert!(!usage_allowed(&ty("Int!"), false, &ty("ID!"), false));
        assert!(!usage_allowed(&ty("ID"), false, &ty("ID!"), false));
        assert!(usage_allowed(&ty("ID"), true, &ty("ID!"), false));
        assert!(usage_allowed(&ty("Int"), false, &ty("Int!"), true));
        assert!(usage_allowed(&ty("[ID!]!"), false, &ty("[ID]"), false));
        assert!(!usage_allowed(&ty("[ID]"), false, &ty("ID"), false));
        assert!(!usage_allowed(&ty("ID"), false, &ty("[ID]"), false));
    }

    #[test]
    fn equal_keys_of_an_input_object_are_found_in_the_text() {
        let found = |q: &str| duplicate_input_fields(q).len();
        assert_eq!(found(r#"{ a(f: { x: 1, x: 2 }) { b } }"#), 1);
        assert_eq!(found(r#"{ a(f: { x: 1, y: { x: 2 } }) { b } }"#), 0);
        assert_eq!(found(r#"{ x: a(f: { x: 1 }) { x: b } }"#), 0);
        assert_eq!(found(r#"{ a(f: [{ x: 1 }, { x: 2 }]) { b } }"#), 0);
        assert_eq!(found(r#"{ a(f: { x: "x: 1, x:", y: $x }) { b } }"#), 0);
        assert_eq!(found("query($v: In = { k: 1, k: 2 }) { a(f: $v) { b } }"), 1);
    }

    #[test]
    fn an_empty_document_is_a_syntax_error_and_fragments_alone_are_invalid() {
        let code = |q: &str| async_graphql::parser::parse_query(q).err().map(|e| parse_error_code(&e, q));
        assert_eq!(code("  # nothing\n ,"), Some("GRAPHQL_PARSE_FAILED"));
        assert_eq!(code("fragment F on User { id }"), Some("GRAPHQL_VALIDATION_FAILED"));
        assert_eq!(code("{ me { id }"), Some("GRAPHQL_PARSE_FAILED"));
        assert_eq!(code("query A { a } query A { b }"), Some("GRAPHQL_VALIDATION_FAILED"));
    }

    #[test]
    fn positions_become_offsets() {
        assert_eq!(offset("ab\ncd", 2, 2), Some(4));
        assert_eq!(offset("type X", 1, 1), Some(0));
    }
}
