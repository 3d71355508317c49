//! A native evaluator for the common subset of scoring scripts, for throughput.
//!
//! Rhai interprets a script through dynamic values, registered getters and function lookups:
//! about 10 µs a pair for `default.rhai`. Most scripts, the shipped ones included, use only
//! `eligible`/`score` made of `let`, `if`/`else`, `return`, map literals, arithmetic and
//! comparisons on numbers of one type, `&&`/`||`/`!`, `in`, the fields of `n` and `g` and the
//! helper functions. This module translates exactly that subset of the script's Rhai AST (the
//! one the hardened engine parsed and optimised, and runs) into a small tree and evaluates it
//! directly on the round's data. There is no second grammar: what a statement or an operator
//! is comes from Rhai's parser. It is an accelerator, never a second semantics:
//!
//! * a script with anything outside the subset is not translated at all (Rhai runs it);
//! * anything at run time whose Rhai meaning is not certain here (mixed int/float arithmetic,
//!   overflow, division by zero, a type mismatch, a non-finite or oversized score) stops the
//!   native evaluation of that pair, and Rhai scores the pair, with its own result or error;
//! * the subset has no loops, no recursion and no growing strings, so every evaluation ends in
//!   a bounded number of steps (Rhai's operation and time limits are not needed here);
//! * a script is used natively only after it agreed with Rhai on the built-in sample pairs,
//!   and every round checks a row against Rhai first (see `matrix`).
//!
//! The tree is here; `compile` builds it from the AST, `eval` runs it.

mod compile;
mod eval;
#[cfg(test)]
mod tests;

use rhai::{AST, INT};

pub use eval::Defer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bin {
    Or,
    And,
    Eq,
    Ne,
    /// `x in list`, which Rhai's parser makes `contains(list, x)`.
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
    /// `list.contains(x)`.
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

/// Statements; as in Rhai, the block's value is the value of its last statement (a `let` has
/// none), whether or not a `;` follows it.
#[derive(Debug)]
struct Block {
    stmts: Vec<Stmt>,
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

impl FastScript {
    /// The script in the subset, from the AST the engine compiled; `None` when it uses anything
    /// else.
    pub fn compile(ast: &AST) -> Option<Self> {
        compile::script(ast)
    }
}
