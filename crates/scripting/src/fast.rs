//! A native evaluator for the common subset of scoring scripts, for throughput.
//!
//! Rhai interprets a script through dynamic values, registered getters and function lookups:
//! about 10 µs a pair for `default.rhai`. Most scripts, the shipped ones included, use only
//! `eligible`/`score` made of `let`, `if`/`else`, `return`, map literals, arithmetic and
//! comparisons on numbers of one type, `&&`/`||`/`!`, `in`, the fields of `n` and `g` and the
//! helper functions. This module parses exactly that subset into a small tree and evaluates it
//! directly on the round's data. It is an accelerator, never a second semantics:
//!
//! * a script with anything outside the subset is not compiled here at all (Rhai runs it);
//! * anything at run time whose Rhai meaning is not certain here (mixed int/float arithmetic,
//!   overflow, division by zero, a type mismatch, a non-finite or oversized score) stops the
//!   native evaluation of that pair, and Rhai scores the pair, with its own result or error;
//! * the subset has no loops, no recursion and no growing strings, so every evaluation ends in
//!   a bounded number of steps (Rhai's operation and time limits are not needed here);
//! * a script is used natively only after it agreed with Rhai on the built-in sample pairs,
//!   and every round checks a row against Rhai first (see `matrix`).

use std::collections::HashMap;

use rhai::INT;

use super::api::{Ages, GroupData, NewcomerData, Tags, cefr_rank};
use super::matrix::INELIGIBLE;

/// A value during evaluation; strings and lists borrow from the round's data.
#[derive(Clone, Debug)]
enum Value<'a> {
    Unit,
    Bool(bool),
    Int(INT),
    Float(f64),
    Str(std::borrow::Cow<'a, str>),
    Tags(&'a Tags),
    Ages(&'a Ages),
    /// A map literal: criterion → value, keys unique.
    Map(Vec<(&'a str, Value<'a>)>),
}

/// "Rhai decides": the native evaluation of this pair stops.
#[derive(Debug)]
pub struct Defer;

type R<T> = Result<T, Defer>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bin {
    Or,
    And,
    Eq,
    Ne,
    In,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Age,
    Gender,
    Languages,
    DutchLevel,
    Interests,
    Sector,
    Goals,
    HouseholdSize,
    ChildrenAges,
    NCity,
    NNeighbourhood,
    WaitingDays,
    GCity,
    GNeighbourhood,
    Capacity,
    Size,
    GLanguages,
    GInterests,
    MemberAges,
    Sectors,
    AvailabilityHours,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Helper {
    Overlap,
    Jaccard,
    SharesLanguage,
    HasAny,
    HasAll,
    AgeGap,
    CountBetween,
    MinAge,
    MaxAge,
    MeanAge,
    CefrRank,
    Clamp,
    Len,
    IsEmpty,
    Contains,
}

#[derive(Debug)]
enum Node {
    Unit,
    Bool(bool),
    Int(INT),
    Float(f64),
    Str(String),
    /// A local variable by slot.
    Var(usize),
    /// `n.field` / `g.field`.
    Field(Field),
    Not(Box<Node>),
    Neg(Box<Node>),
    Binary(Bin, Box<Node>, Box<Node>),
    Call(Helper, Vec<Node>),
    If(Box<Node>, Box<Block>, Option<Box<Block>>),
    Map(Vec<(String, Node)>),
    /// An interpolated string: literal parts and expressions.
    Interp(Vec<Part>),
}

#[derive(Debug)]
enum Part {
    Lit(String),
    Expr(Node),
}

#[derive(Debug)]
enum Stmt {
    Let(usize, Node),
    Return(Node),
    Expr(Node),
}

/// Statements, and whether the last one's value is the block's value.
#[derive(Debug)]
struct Block {
    stmts: Vec<Stmt>,
    value_of_last: bool,
}

/// The two functions of a script in the subset.
#[derive(Debug)]
pub struct FastScript {
    eligible: Function,
    score: Function,
}

#[derive(Debug)]
struct Function {
    body: Block,
    slots: usize,
}

// ---------------------------------------------------------------- tokens

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Int(INT),
    Float(f64),
    Str(String),
    /// The raw text between backticks.
    Backtick(String),
    Punct(&'static str),
}

const PUNCTS: [&str; 26] = [
    "#{", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "{", "}", "[", "]", ",", ":", ";", ".", "<", ">", "!", "+",
    "-", "*", "/", "%", "=",
];

fn tokenize(src: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            // Rhai block comments nest; a script that nests them is left to Rhai.
            let end = (i + 2..chars.len().saturating_sub(1)).find(|&j| chars[j] == '*' && chars[j + 1] == '/')?;
            if chars[i + 2..end].windows(2).any(|w| w == ['/', '*']) {
                return None;
            }
            i = end + 2;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let is_float = chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if is_float {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            // Exponents, separators (1_000) and hex are left to Rhai.
            if i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                return None;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(if is_float { Tok::Float(text.parse().ok()?) } else { Tok::Int(text.parse().ok()?) });
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i)? {
                    '"' => break,
                    '\\' => {
                        s.push(match chars.get(i + 1)? {
                            '"' => '"',
                            '\\' => '\\',
                            'n' => '\n',
                            't' => '\t',
                            _ => return None,
                        });
                        i += 2;
                    }
                    '\n' => return None,
                    ch => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if c == '`' {
            let start = i + 1;
            let end = (start..chars.len()).find(|&j| chars[j] == '`')?;
            let raw: String = chars[start..end].iter().collect();
            if raw.contains('\\') {
                return None;
            }
            out.push(Tok::Backtick(raw));
            i = end + 1;
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let p = PUNCTS.iter().find(|p| rest.starts_with(**p))?;
            out.push(Tok::Punct(p));
            i += p.chars().count();
        }
    }
    Some(out)
}

// ---------------------------------------------------------------- parser

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// Names in scope, innermost last: (name, slot).
    scope: Vec<(String, usize)>,
    slots: usize,
}

const KEYWORDS: [&str; 20] = [
    "fn", "let", "const", "if", "else", "return", "true", "false", "in", "for", "while", "loop", "do", "until",
    "break", "continue", "switch", "import", "export", "this",
];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(x)) if x == w)
    }

    fn eat(&mut self, p: &str) -> Option<()> {
        if self.is(p) {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    fn ident(&mut self) -> Option<String> {
        match self.next()? {
            Tok::Ident(x) if !KEYWORDS.contains(&x.as_str()) => Some(x),
            _ => None,
        }
    }

    fn function(&mut self) -> Option<(String, Function)> {
        if !self.is_word("fn") {
            return None;
        }
        self.pos += 1;
        let name = self.ident()?;
        self.eat("(")?;
        let n = self.ident()?;
        self.eat(",")?;
        let g = self.ident()?;
        self.eat(")")?;
        if n != "n" || g != "g" {
            // Fields are resolved by the parameter names the API documents.
            return None;
        }
        self.scope.clear();
        self.slots = 0;
        let body = self.block()?;
        Some((name, Function { body, slots: self.slots }))
    }

    fn block(&mut self) -> Option<Block> {
        self.eat("{")?;
        let depth = self.scope.len();
        let mut stmts = Vec::new();
        let mut value_of_last = false;
        while !self.is("}") {
            value_of_last = false;
            if self.is_word("let") {
                self.pos += 1;
                let name = self.ident()?;
                if name == "n" || name == "g" {
                    return None;
                }
                self.eat("=")?;
                let e = self.expr(0)?;
                self.eat(";")?;
                let slot = self.slots;
                self.slots += 1;
                self.scope.push((name, slot));
                stmts.push(Stmt::Let(slot, e));
            } else if self.is_word("return") {
                self.pos += 1;
                let e = if self.is(";") { Node::Unit } else { self.expr(0)? };
                self.eat(";")?;
                stmts.push(Stmt::Return(e));
            } else if self.is(";") {
                self.pos += 1;
            } else {
                // Rhai makes an `if` at the start of a statement a statement of its own: in
                // `if c { 10 } else { 0 } - x` the `- x` is the next statement (a negation),
                // not a subtraction from the `if`. So the `if` is parsed alone here.
                let is_if = self.is_word("if");
                let e = if is_if { self.primary()? } else { self.expr(0)? };
                if self.is(";") {
                    self.pos += 1;
                } else if self.is("}") {
                    value_of_last = true;
                } else if !is_if {
                    // Rhai needs a `;` between expression statements (an `if` needs none).
                    return None;
                }
                stmts.push(Stmt::Expr(e));
            }
        }
        self.pos += 1;
        self.scope.truncate(depth);
        Some(Block { stmts, value_of_last })
    }

    fn precedence(&self) -> Option<(u8, Bin)> {
        Some(match self.peek()? {
            Tok::Punct("||") => (30, Bin::Or),
            Tok::Punct("&&") => (60, Bin::And),
            Tok::Punct("==") => (90, Bin::Eq),
            Tok::Punct("!=") => (90, Bin::Ne),
            Tok::Ident(w) if w == "in" => (110, Bin::In),
            Tok::Punct("<") => (130, Bin::Lt),
            Tok::Punct("<=") => (130, Bin::Le),
            Tok::Punct(">") => (130, Bin::Gt),
            Tok::Punct(">=") => (130, Bin::Ge),
            Tok::Punct("+") => (150, Bin::Add),
            Tok::Punct("-") => (150, Bin::Sub),
            Tok::Punct("*") => (180, Bin::Mul),
            Tok::Punct("/") => (180, Bin::Div),
            Tok::Punct("%") => (180, Bin::Rem),
            _ => return None,
        })
    }

    /// Precedence climbing; every operator of the subset binds to the left, as in Rhai.
    fn expr(&mut self, min: u8) -> Option<Node> {
        let mut lhs = self.unary()?;
        while let Some((prec, op)) = self.precedence() {
            if prec < min {
                break;
            }
            self.pos += 1;
            let rhs = self.expr(prec + 1)?;
            lhs = Node::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Some(lhs)
    }

    fn unary(&mut self) -> Option<Node> {
        if self.is("!") {
            self.pos += 1;
            return Some(Node::Not(Box::new(self.unary()?)));
        }
        if self.is("-") {
            self.pos += 1;
            return Some(match self.unary()? {
                Node::Int(i) => Node::Int(i.checked_neg()?),
                Node::Float(f) => Node::Float(-f),
                other => Node::Neg(Box::new(other)),
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Option<Node> {
        let mut e = self.primary()?;
        while self.is(".") {
            self.pos += 1;
            let name = self.ident()?;
            let call = self.is("(");
            let args = if call { self.args()? } else { Vec::new() };
            let on = match e {
                Node::Var(s) if s == usize::MAX - 1 => Some(true),
                Node::Var(s) if s == usize::MAX => Some(false),
                _ => None,
            };
            e = match (on, name.as_str(), call) {
                (Some(true), field, false) => Node::Field(newcomer_field(field)?),
                (Some(false), field, false) => Node::Field(group_field(field)?),
                (None, "len", _) if args.is_empty() => Node::Call(Helper::Len, vec![e]),
                (None, "is_empty", _) if args.is_empty() => Node::Call(Helper::IsEmpty, vec![e]),
                (None, "contains", true) if args.len() == 1 => {
                    let mut all = vec![e];
                    all.extend(args);
                    Node::Call(Helper::Contains, all)
                }
                _ => return None,
            };
        }
        match e {
            // `n` or `g` alone (not a field) is left to Rhai.
            Node::Var(s) if s >= usize::MAX - 1 => None,
            e => Some(e),
        }
    }

    fn args(&mut self) -> Option<Vec<Node>> {
        self.eat("(")?;
        let mut args = Vec::new();
        while !self.is(")") {
            args.push(self.expr(0)?);
            if !self.is(")") {
                self.eat(",")?;
            }
        }
        self.pos += 1;
        Some(args)
    }

    fn primary(&mut self) -> Option<Node> {
        match self.next()? {
            Tok::Int(i) => Some(Node::Int(i)),
            Tok::Float(f) => Some(Node::Float(f)),
            Tok::Str(s) => Some(Node::Str(s)),
            Tok::Backtick(raw) => self.interpolation(&raw),
            Tok::Punct("(") => {
                let e = self.expr(0)?;
                self.eat(")")?;
                Some(e)
            }
            Tok::Punct("#{") => {
                let mut entries: Vec<(String, Node)> = Vec::new();
                while !self.is("}") {
                    let key = match self.next()? {
                        Tok::Ident(k) => k,
                        Tok::Str(k) => k,
                        _ => return None,
                    };
                    if entries.iter().any(|(k, _)| *k == key) {
                        return None;
                    }
                    self.eat(":")?;
                    entries.push((key, self.expr(0)?));
                    if !self.is("}") {
                        self.eat(",")?;
                    }
                }
                self.pos += 1;
                Some(Node::Map(entries))
            }
            Tok::Ident(w) if w == "true" => Some(Node::Bool(true)),
            Tok::Ident(w) if w == "false" => Some(Node::Bool(false)),
            Tok::Ident(w) if w == "if" => {
                let cond = self.expr(0)?;
                let then = self.block()?;
                let otherwise = if self.is_word("else") {
                    self.pos += 1;
                    if self.is_word("if") {
                        let nested = self.primary()?;
                        Some(Box::new(Block { stmts: vec![Stmt::Expr(nested)], value_of_last: true }))
                    } else {
                        Some(Box::new(self.block()?))
                    }
                } else {
                    None
                };
                Some(Node::If(Box::new(cond), Box::new(then), otherwise))
            }
            Tok::Ident(w) if self.is("(") => {
                let helper = helper(&w)?;
                let args = self.args()?;
                let arity = match helper {
                    Helper::Overlap
                    | Helper::Jaccard
                    | Helper::SharesLanguage
                    | Helper::HasAny
                    | Helper::HasAll
                    | Helper::AgeGap => 2,
                    Helper::CountBetween | Helper::Clamp => 3,
                    Helper::MinAge
                    | Helper::MaxAge
                    | Helper::MeanAge
                    | Helper::CefrRank
                    | Helper::Len
                    | Helper::IsEmpty => 1,
                    Helper::Contains => 2,
                };
                (args.len() == arity).then_some(Node::Call(helper, args))
            }
            Tok::Ident(w) if w == "n" && !self.scope.iter().any(|(x, _)| *x == w) => Some(Node::Var(usize::MAX - 1)),
            Tok::Ident(w) if w == "g" && !self.scope.iter().any(|(x, _)| *x == w) => Some(Node::Var(usize::MAX)),
            Tok::Ident(w) if !KEYWORDS.contains(&w.as_str()) => {
                let slot = self.scope.iter().rev().find(|(x, _)| *x == w)?.1;
                Some(Node::Var(slot))
            }
            _ => None,
        }
    }

    /// `` `text ${expr} text` ``: each `${…}` is parsed as an expression in the current scope.
    fn interpolation(&mut self, raw: &str) -> Option<Node> {
        let mut parts = Vec::new();
        let mut rest = raw;
        while let Some(start) = rest.find("${") {
            parts.push(Part::Lit(rest[..start].to_owned()));
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            let inner = tokenize(&after[..end])?;
            let mut sub = Parser { toks: inner, pos: 0, scope: self.scope.clone(), slots: self.slots };
            let e = sub.expr(0)?;
            if sub.pos != sub.toks.len() {
                return None;
            }
            parts.push(Part::Expr(e));
            rest = &after[end + 1..];
        }
        parts.push(Part::Lit(rest.to_owned()));
        Some(Node::Interp(parts))
    }
}

fn newcomer_field(name: &str) -> Option<Field> {
    Some(match name {
        "age" => Field::Age,
        "gender" => Field::Gender,
        "languages" => Field::Languages,
        "dutch_level" => Field::DutchLevel,
        "interests" => Field::Interests,
        "sector" => Field::Sector,
        "goals" => Field::Goals,
        "household_size" => Field::HouseholdSize,
        "children_ages" => Field::ChildrenAges,
        "city" => Field::NCity,
        "neighbourhood" => Field::NNeighbourhood,
        "waiting_days" => Field::WaitingDays,
        _ => return None,
    })
}

fn group_field(name: &str) -> Option<Field> {
    Some(match name {
        "city" => Field::GCity,
        "neighbourhood" => Field::GNeighbourhood,
        "capacity" => Field::Capacity,
        "size" => Field::Size,
        "languages" => Field::GLanguages,
        "interests" => Field::GInterests,
        "member_ages" => Field::MemberAges,
        "sectors" => Field::Sectors,
        "availability_hours" => Field::AvailabilityHours,
        _ => return None,
    })
}

fn helper(name: &str) -> Option<Helper> {
    Some(match name {
        "overlap" => Helper::Overlap,
        "jaccard" => Helper::Jaccard,
        "shares_language" => Helper::SharesLanguage,
        "has_any" => Helper::HasAny,
        "has_all" => Helper::HasAll,
        "age_gap" => Helper::AgeGap,
        "count_between" => Helper::CountBetween,
        "min_age" => Helper::MinAge,
        "max_age" => Helper::MaxAge,
        "mean_age" => Helper::MeanAge,
        "cefr_rank" => Helper::CefrRank,
        "clamp" => Helper::Clamp,
        _ => return None,
    })
}

impl FastScript {
    /// The script in the subset, or `None` when it uses anything else.
    pub fn compile(source: &str) -> Option<Self> {
        let mut p = Parser { toks: tokenize(source)?, pos: 0, scope: Vec::new(), slots: 0 };
        let mut functions: HashMap<String, Function> = HashMap::new();
        while p.peek().is_some() {
            let (name, f) = p.function()?;
            if functions.insert(name, f).is_some() {
                return None;
            }
        }
        // Only the two entry points: other functions would need calls between them.
        if functions.len() != 2 {
            return None;
        }
        Some(Self { eligible: functions.remove("eligible")?, score: functions.remove("score")? })
    }

    /// The pair's total in hundredths, `INELIGIBLE`, or `Defer` (Rhai decides this pair).
    pub fn pair_total(&self, n: &NewcomerData, g: &GroupData) -> R<i64> {
        let eligible = {
            let mut env = Env { n, g, slots: vec![Value::Unit; self.eligible.slots] };
            env.function(&self.eligible.body)?
        };
        match eligible {
            Value::Bool(true) => {}
            Value::Bool(false) | Value::Str(_) => return Ok(INELIGIBLE),
            _ => return Err(Defer),
        }
        let mut env = Env { n, g, slots: vec![Value::Unit; self.score.slots] };
        match env.function(&self.score.body)? {
            Value::Int(i) => hundredths(i as f64),
            Value::Float(f) => hundredths(f),
            Value::Map(entries) => {
                let mut total = 0i64;
                for (_, v) in entries {
                    total += match v {
                        Value::Int(i) => hundredths(i as f64)?,
                        Value::Float(f) => hundredths(f)?,
                        _ => return Err(Defer),
                    };
                }
                Ok(total)
            }
            _ => Err(Defer),
        }
    }
}

/// The same rounding and limits as `script::hundredths`; anything it would refuse is Rhai's
/// to report.
fn hundredths(points: f64) -> R<i64> {
    if !points.is_finite() || points.abs() > super::script::MAX_POINTS {
        return Err(Defer);
    }
    Ok((points * 100.0).round() as i64)
}

enum Flow<'a> {
    Value(Value<'a>),
    Return(Value<'a>),
}

struct Env<'a> {
    n: &'a NewcomerData,
    g: &'a GroupData,
    slots: Vec<Value<'a>>,
}

impl<'a> Env<'a> {
    fn function(&mut self, body: &'a Block) -> R<Value<'a>> {
        Ok(match self.block(body)? {
            Flow::Value(v) | Flow::Return(v) => v,
        })
    }

    fn block(&mut self, b: &'a Block) -> R<Flow<'a>> {
        let mut last = Value::Unit;
        for (i, s) in b.stmts.iter().enumerate() {
            match s {
                Stmt::Let(slot, e) => {
                    let v = self.expr(e)?;
                    self.slots[*slot] = v;
                    last = Value::Unit;
                }
                Stmt::Return(e) => return Ok(Flow::Return(self.expr(e)?)),
                Stmt::Expr(e) => {
                    // An `if` statement may `return` from inside.
                    let v = match e {
                        Node::If(c, t, o) => match self.if_expr(c, t, o.as_deref())? {
                            Flow::Return(v) => return Ok(Flow::Return(v)),
                            Flow::Value(v) => v,
                        },
                        e => self.expr(e)?,
                    };
                    last = if i + 1 == b.stmts.len() && b.value_of_last { v } else { Value::Unit };
                }
            }
        }
        Ok(Flow::Value(last))
    }

    fn if_expr(&mut self, c: &'a Node, t: &'a Block, o: Option<&'a Block>) -> R<Flow<'a>> {
        match self.expr(c)? {
            Value::Bool(true) => self.block(t),
            Value::Bool(false) => match o {
                Some(b) => self.block(b),
                None => Ok(Flow::Value(Value::Unit)),
            },
            _ => Err(Defer),
        }
    }

    fn field(&self, f: Field) -> Value<'a> {
        let (n, g) = (self.n, self.g);
        match f {
            Field::Age => Value::Int(n.age),
            Field::Gender => Value::Str(n.gender.as_str().into()),
            Field::Languages => Value::Tags(&n.languages),
            Field::DutchLevel => Value::Str(n.dutch_level.as_str().into()),
            Field::Interests => Value::Tags(&n.interests),
            Field::Sector => Value::Str(n.sector.as_str().into()),
            Field::Goals => Value::Tags(&n.goals),
            Field::HouseholdSize => Value::Int(n.household_size),
            Field::ChildrenAges => Value::Ages(&n.children_ages),
            Field::NCity => Value::Str(n.city.as_str().into()),
            Field::NNeighbourhood => Value::Str(n.neighbourhood.as_str().into()),
            Field::WaitingDays => Value::Int(n.waiting_days),
            Field::GCity => Value::Str(g.city.as_str().into()),
            Field::GNeighbourhood => Value::Str(g.neighbourhood.as_str().into()),
            Field::Capacity => Value::Int(g.capacity),
            Field::Size => Value::Int(g.size),
            Field::GLanguages => Value::Tags(&g.languages),
            Field::GInterests => Value::Tags(&g.interests),
            Field::MemberAges => Value::Ages(&g.member_ages),
            Field::Sectors => Value::Tags(&g.sectors),
            Field::AvailabilityHours => Value::Int(g.availability_hours),
        }
    }

    fn expr(&mut self, e: &'a Node) -> R<Value<'a>> {
        Ok(match e {
            Node::Unit => Value::Unit,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::Int(*i),
            Node::Float(f) => Value::Float(*f),
            Node::Str(s) => Value::Str(s.as_str().into()),
            Node::Var(slot) => self.slots.get(*slot).cloned().ok_or(Defer)?,
            Node::Field(f) => self.field(*f),
            Node::Not(x) => match self.expr(x)? {
                Value::Bool(b) => Value::Bool(!b),
                _ => return Err(Defer),
            },
            Node::Neg(x) => match self.expr(x)? {
                Value::Int(i) => Value::Int(i.checked_neg().ok_or(Defer)?),
                Value::Float(f) => Value::Float(-f),
                _ => return Err(Defer),
            },
            Node::Binary(op, a, b) => self.binary(*op, a, b)?,
            Node::Call(h, args) => self.call(*h, args)?,
            Node::If(c, t, o) => match self.if_expr(c, t, o.as_deref())? {
                Flow::Value(v) => v,
                // A `return` inside an `if` used as a value is left to Rhai.
                Flow::Return(_) => return Err(Defer),
            },
            Node::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    out.push((k.as_str(), self.expr(v)?));
                }
                Value::Map(out)
            }
            Node::Interp(parts) => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        Part::Lit(l) => s.push_str(l),
                        Part::Expr(e) => match self.expr(e)? {
                            Value::Int(i) => s.push_str(&i.to_string()),
                            Value::Str(x) => s.push_str(&x),
                            Value::Bool(b) => s.push_str(if b { "true" } else { "false" }),
                            _ => return Err(Defer),
                        },
                    }
                }
                Value::Str(s.into())
            }
        })
    }

    fn binary(&mut self, op: Bin, a: &'a Node, b: &'a Node) -> R<Value<'a>> {
        if matches!(op, Bin::And | Bin::Or) {
            let Value::Bool(x) = self.expr(a)? else { return Err(Defer) };
            if (op == Bin::And && !x) || (op == Bin::Or && x) {
                return Ok(Value::Bool(x));
            }
            let Value::Bool(y) = self.expr(b)? else { return Err(Defer) };
            return Ok(Value::Bool(y));
        }
        let (x, y) = (self.expr(a)?, self.expr(b)?);
        Ok(match (op, x, y) {
            (Bin::In, Value::Str(s), Value::Tags(t)) => Value::Bool(t.contains(&s)),
            (Bin::In, Value::Int(i), Value::Ages(a)) => Value::Bool(a.0.contains(&i)),
            (Bin::Add, Value::Int(x), Value::Int(y)) => Value::Int(x.checked_add(y).ok_or(Defer)?),
            (Bin::Sub, Value::Int(x), Value::Int(y)) => Value::Int(x.checked_sub(y).ok_or(Defer)?),
            (Bin::Mul, Value::Int(x), Value::Int(y)) => Value::Int(x.checked_mul(y).ok_or(Defer)?),
            (Bin::Div, Value::Int(x), Value::Int(y)) => Value::Int(x.checked_div(y).ok_or(Defer)?),
            (Bin::Rem, Value::Int(x), Value::Int(y)) => Value::Int(x.checked_rem(y).ok_or(Defer)?),
            (Bin::Add, Value::Float(x), Value::Float(y)) => Value::Float(x + y),
            (Bin::Sub, Value::Float(x), Value::Float(y)) => Value::Float(x - y),
            (Bin::Mul, Value::Float(x), Value::Float(y)) => Value::Float(x * y),
            (Bin::Div, Value::Float(x), Value::Float(y)) => Value::Float(x / y),
            (op, Value::Int(x), Value::Int(y)) => Value::Bool(compare(op, x.cmp(&y))?),
            (op, Value::Float(x), Value::Float(y)) => Value::Bool(compare(op, x.partial_cmp(&y).ok_or(Defer)?)?),
            (op, Value::Str(x), Value::Str(y)) => Value::Bool(compare(op, x.as_ref().cmp(y.as_ref()))?),
            (op @ (Bin::Eq | Bin::Ne), Value::Bool(x), Value::Bool(y)) => Value::Bool((x == y) == (op == Bin::Eq)),
            _ => return Err(Defer),
        })
    }

    fn call(&mut self, h: Helper, args: &'a [Node]) -> R<Value<'a>> {
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.expr(a)?);
        }
        Ok(match (h, vals.as_slice()) {
            (Helper::Overlap, [Value::Tags(a), Value::Tags(b)]) => Value::Int(a.overlap(b) as INT),
            (Helper::Jaccard, [Value::Tags(a), Value::Tags(b)]) => Value::Float(a.jaccard(b)),
            (Helper::SharesLanguage | Helper::HasAny, [Value::Tags(a), Value::Tags(b)]) => {
                Value::Bool(a.overlap(b) > 0)
            }
            (Helper::HasAll, [Value::Tags(a), Value::Tags(b)]) => Value::Bool(a.overlap(b) == b.0.len()),
            (Helper::AgeGap, [Value::Int(age), Value::Ages(a)]) => Value::Int(a.gap(*age)),
            (Helper::CountBetween, [Value::Ages(a), Value::Int(lo), Value::Int(hi)]) => {
                Value::Int(a.0.iter().filter(|x| **x >= *lo && **x <= *hi).count() as INT)
            }
            (Helper::MinAge, [Value::Ages(a)]) => Value::Int(a.0.first().copied().unwrap_or(0)),
            (Helper::MaxAge, [Value::Ages(a)]) => Value::Int(a.0.last().copied().unwrap_or(0)),
            (Helper::MeanAge, [Value::Ages(a)]) => {
                Value::Float(if a.0.is_empty() { 0.0 } else { a.0.iter().sum::<INT>() as f64 / a.0.len() as f64 })
            }
            (Helper::CefrRank, [Value::Str(s)]) => Value::Int(cefr_rank(s)),
            (Helper::Clamp, [Value::Int(x), Value::Int(lo), Value::Int(hi)]) => Value::Int((*x).max(*lo).min(*hi)),
            (Helper::Clamp, [Value::Float(x), Value::Float(lo), Value::Float(hi)]) => Value::Float(x.max(*lo).min(*hi)),
            (Helper::Len, [Value::Tags(t)]) => Value::Int(t.0.len() as INT),
            (Helper::Len, [Value::Ages(a)]) => Value::Int(a.0.len() as INT),
            (Helper::IsEmpty, [Value::Tags(t)]) => Value::Bool(t.0.is_empty()),
            (Helper::IsEmpty, [Value::Ages(a)]) => Value::Bool(a.0.is_empty()),
            (Helper::Contains, [Value::Tags(t), Value::Str(s)]) => Value::Bool(t.contains(s)),
            (Helper::Contains, [Value::Ages(a), Value::Int(i)]) => Value::Bool(a.0.contains(i)),
            _ => return Err(Defer),
        })
    }
}

fn compare(op: Bin, o: std::cmp::Ordering) -> R<bool> {
    use std::cmp::Ordering::*;
    Ok(match op {
        Bin::Eq => o == Equal,
        Bin::Ne => o != Equal,
        Bin::Lt => o == Less,
        Bin::Le => o != Greater,
        Bin::Gt => o == Greater,
        Bin::Ge => o != Less,
        _ => return Err(Defer),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use rhai::Scope;

    use super::super::api::{Ages, GroupData, NewcomerData, ScriptGroup, ScriptNewcomer, Tags};
    use super::super::{CompiledScript, shipped};
    use super::FastScript;

    const LANGS: [&str; 6] = ["nl", "en", "ar", "ti", "fa", "uk"];
    const INTERESTS: [&str; 6] = ["cooking", "walking", "music", "football", "chess", "reading"];
    const GOALS: [&str; 5] = ["work", "study", "language", "social_network", "practical_matters"];
    const SECTORS: [&str; 4] = ["", "it", "healthcare", "education"];
    const HOODS: [&str; 3] = ["", "centrum", "haven"];
    const LEVELS: [&str; 4] = ["A0", "A1", "B1", "C1"];

    fn some(rng: &mut StdRng, from: &[&str]) -> Tags {
        Tags::new(from.iter().filter(|_| rng.random_bool(0.4)).map(|s| s.to_string()).collect())
    }

    fn pair(rng: &mut StdRng) -> (ScriptNewcomer, ScriptGroup) {
        let children: Vec<i64> = (0..rng.random_range(0..4)).map(|_| rng.random_range(0..18)).collect();
        let n = NewcomerData {
            age: rng.random_range(18..70),
            gender: "female".into(),
            languages: some(rng, &LANGS),
            dutch_level: LEVELS[rng.random_range(0..LEVELS.len())].into(),
            interests: some(rng, &INTERESTS),
            sector: SECTORS[rng.random_range(0..SECTORS.len())].into(),
            goals: some(rng, &GOALS),
            household_size: 1 + children.len() as i64 + rng.random_range(0..2),
            children_ages: Ages::new(children),
            city: if rng.random_bool(0.9) { "almere".into() } else { "haarlem".into() },
            neighbourhood: HOODS[rng.random_range(0..HOODS.len())].into(),
            waiting_days: rng.random_range(0..800),
        };
        let ages: Vec<i64> = (0..rng.random_range(0..8)).map(|_| rng.random_range(18..80)).collect();
        let g = GroupData {
            city: "almere".into(),
            neighbourhood: HOODS[rng.random_range(0..HOODS.len())].into(),
            capacity: rng.random_range(1..7),
            size: ages.len() as i64,
            languages: some(rng, &LANGS),
            interests: some(rng, &INTERESTS),
            member_ages: Ages::new(ages),
            sectors: some(rng, &SECTORS[1..]),
            availability_hours: rng.random_range(0..30),
        };
        (ScriptNewcomer(Arc::new(n)), ScriptGroup(Arc::new(g)))
    }

    /// Native and Rhai agree on every pair the native evaluator does not defer; returns how
    /// many pairs were native.
    fn agree(source: &str, pairs: usize) -> usize {
        let fast = FastScript::compile(source).unwrap_or_else(|| panic!("not in the subset: {source}"));
        let script = CompiledScript::compile(source).unwrap_or_else(|p| panic!("{p:?}"));
        let mut rng = StdRng::seed_from_u64(7);
        let mut scope = Scope::new();
        let mut native = 0;
        for _ in 0..pairs {
            let (n, g) = pair(&mut rng);
            let by_rhai = script.rhai_total(&mut scope, &n, &g).ok();
            if let Ok(total) = fast.pair_total(&n.0, &g.0) {
                assert_eq!(Some(total), by_rhai, "{source}\n{n:?}\n{g:?}");
                native += 1;
            }
        }
        native
    }

    #[test]
    fn every_shipped_script_is_native_and_agrees_with_rhai_on_random_pairs() {
        for city in ["default", "almere", "den-haag", "haarlem", "rotterdam"] {
            let source = if city == "default" { shipped::DEFAULT } else { shipped::for_city(city) };
            assert_eq!(agree(source, 3000), 3000, "{city}: every pair native");
            assert!(CompiledScript::compile(source).is_ok_and(|s| s.is_native()), "{city}");
        }
    }

    #[test]
    fn the_subset_agrees_with_rhai_construct_by_construct() {
        let scripts = [
            // let, else-if chains, return from inside an if, integer division and remainder,
            // negative numbers, string comparison, ||, !, method calls, interpolation.
            "fn eligible(n, g) { let big = n.household_size * 2; if big > g.capacity * 3 { return `too big: ${big} vs ${g.capacity}`; } if !(n.city == g.city) || n.gender < \"a\" { return false; } true }
             fn score(n, g) { let gap = age_gap(n.age, g.member_ages); let w = n.waiting_days / 7 % 5; #{ a: if gap < 5 { 10 } else if gap < 15 { 5 } else { -3 }, b: w - 2, c: 2.5 * mean_age(g.member_ages) / 10.0, d: if n.languages.contains(\"nl\") && !g.interests.is_empty() { g.interests.len() } else { n.languages.len } } }",
            // One number instead of a map; has_all/has_any/count_between/min/max/cefr_rank.
            "fn eligible(n, g) { if has_any(n.languages, g.languages) { true } else { \"no language\" } }
             fn score(n, g) { if has_all(g.languages, n.languages) { 3 } else { count_between(g.member_ages, 20, 40) + min_age(g.member_ages) - max_age(n.children_ages) + cefr_rank(n.dutch_level) } }",
            // Mixed int/float arithmetic is left to Rhai, pair by pair.
            "fn eligible(n, g) { true }
             fn score(n, g) { #{ mixed: n.age * 1.5, fine: clamp(n.age, 20, 40) } }",
        ];
        assert_eq!(agree(scripts[0], 2000), 2000);
        assert_eq!(agree(scripts[1], 2000), 2000);
        assert_eq!(agree(scripts[2], 200), 0, "mixed arithmetic always defers to Rhai");
    }

    /// The grammar issue #20 found: an `if` statement followed by an expression. Before the
    /// parser took the `if` alone, the native evaluator read the two statements as one
    /// subtraction; nothing but the sample check (`CompiledScript::compile` runs both on the
    /// built-in pairs and keeps a script native only when they agree) kept that script on
    /// Rhai. Now both read it alike, on households that reach either branch.
    #[test]
    fn an_if_statement_followed_by_an_expression_is_two_statements_as_in_rhai() {
        let source = "fn eligible(n, g) { true }
             fn score(n, g) { if n.age > 40 { 10 } else { 0 } - age_gap(n.age, g.member_ages) }";
        assert_eq!(agree(source, 2000), 2000, "every pair native and equal to Rhai");
        let script = CompiledScript::compile(source).unwrap();
        assert!(script.is_native());
        let (old, young) = (fixture_with_age(52), fixture_with_age(23));
        let g = &super::super::fixtures::groups()[0];
        let mut scope = Scope::new();
        for n in [&old, &young] {
            let expected = -g.0.member_ages.gap(n.0.age) * 100;
            assert_eq!(script.rhai_total(&mut scope, n, g).unwrap(), expected, "Rhai: the value is the negation alone");
            assert_eq!(FastScript::compile(source).unwrap().pair_total(&n.0, &g.0).unwrap(), expected);
        }
        // A statement that Rhai would refuse after the `if` (`== 3`) is not native either.
        assert!(
            FastScript::compile("fn eligible(n, g) { true } fn score(n, g) { if true { 1 } else { 2 } == 3 }")
                .is_none()
        );
    }

    fn fixture_with_age(age: i64) -> ScriptNewcomer {
        let base = &super::super::fixtures::newcomers()[0];
        ScriptNewcomer(Arc::new(NewcomerData { age, ..clone_data(&base.0) }))
    }

    fn clone_data(n: &NewcomerData) -> NewcomerData {
        NewcomerData {
            age: n.age,
            gender: n.gender.clone(),
            languages: n.languages.clone(),
            dutch_level: n.dutch_level.clone(),
            interests: n.interests.clone(),
            sector: n.sector.clone(),
            goals: n.goals.clone(),
            household_size: n.household_size,
            children_ages: n.children_ages.clone(),
            city: n.city.clone(),
            neighbourhood: n.neighbourhood.clone(),
            waiting_days: n.waiting_days,
        }
    }

    #[test]
    fn scripts_outside_the_subset_run_on_rhai_only() {
        for source in [
            "fn eligible(n, g) { true } fn score(n, g) { let t = 0; for x in n.interests { t += 1; } t }",
            "fn helper(x) { x * 2 } fn eligible(n, g) { true } fn score(n, g) { helper(n.age) }",
            "fn eligible(n, g) { true } fn score(n, g) { n.age ** 2 }",
            "fn eligible(n, g) { true } fn score(n, g) { [1, 2].len() }",
            "const X = 3; fn eligible(n, g) { true } fn score(n, g) { X }",
            "fn eligible(a, b) { true } fn score(a, b) { 1 }",
        ] {
            assert!(FastScript::compile(source).is_none(), "{source}");
            if let Ok(script) = CompiledScript::compile(source) {
                assert!(!script.is_native());
            }
        }
    }
}
