//! Translating the Rhai AST the engine compiled into the tree of `mod.rs`.
//!
//! The native evaluator has no parser of its own: it reads the very statements and
//! expressions Rhai runs, after Rhai's optimiser, so the two cannot read a script differently
//! (issue #20: `if c { 10 } else { 0 } - x` is an `if` statement followed by the statement
//! `-x` for both, because that is what Rhai's parser made of it). A node this file does not
//! know makes the whole script `None`, and Rhai scores it.

use std::num::NonZeroUsize;

use rhai::{AST, ASTNode, Dynamic, Expr, FlowControl, FnCallExpr, Map, Stmt as RhaiStmt, StmtBlock};

use super::super::engine::Limits;
use super::{Bin, Block, FastScript, Field, Function, Helper, Node, Part, Stmt};

/// Fields are resolved by the parameter names the API documents.
const PARAMS: [&str; 2] = ["n", "g"];

/// What a name in scope stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Binding {
    Newcomer,
    Group,
    Slot(usize),
}

/// The names in scope of one function, in the order Rhai's scope holds them at run time (the
/// parameters first, then each `let` of the enclosing blocks), so that an index the AST
/// carries can be checked against it.
struct Translator {
    scope: Vec<(String, Binding)>,
    slots: usize,
}

pub(super) fn script(ast: &AST) -> Option<FastScript> {
    // Calls never run the top level (see `CompiledScript::call`); a script that has one is
    // left to Rhai, as it always was, rather than reasoning about what it could change.
    if !ast.statements().is_empty() {
        return None;
    }
    // Only the two entry points: other functions (a closure is one too) would need calls
    // between them.
    if ast.iter_fn_def().count() != 2 {
        return None;
    }
    Some(FastScript { eligible: function(ast, "eligible")?, score: function(ast, "score")? })
}

fn function(ast: &AST, name: &str) -> Option<Function> {
    let def = ast.iter_fn_def().find(|f| f.name == name)?;
    if def.params.len() != PARAMS.len() || def.params.iter().zip(PARAMS).any(|(p, q)| p != q) || def.this_type.is_some()
    {
        return None;
    }
    // The type of a function's body is private to rhai; `walk` visits it. With this function
    // alone in the AST, the statements at depth one are its body, in order. (`retain_functions`,
    // because rhai 1.27's `clone_functions_only_filtered` keeps every function of a script.)
    let mut alone = ast.clone_functions_only();
    alone.retain_functions(|_, _, f, params| f == name && params == PARAMS.len());
    if alone.iter_fn_def().count() != 1 {
        return None;
    }
    let mut t = Translator {
        scope: vec![(PARAMS[0].to_owned(), Binding::Newcomer), (PARAMS[1].to_owned(), Binding::Group)],
        slots: 0,
    };
    let mut stmts = Some(Vec::new());
    alone.walk(&mut |path: &[ASTNode]| {
        let [ASTNode::Stmt(s)] = path else { return true };
        match (stmts.as_mut(), t.stmt(s)) {
            (Some(out), Some(stmt)) => {
                out.push(stmt);
                true
            }
            _ => {
                stmts = None;
                false
            }
        }
    });
    Some(Function { body: Block { stmts: stmts? }, slots: t.slots })
}

impl Translator {
    fn block(&mut self, b: &StmtBlock) -> Option<Block> {
        let depth = self.scope.len();
        let stmts = b.statements().iter().map(|s| self.stmt(s)).collect::<Option<Vec<_>>>()?;
        // Rhai rewinds its scope at the end of a block: the block's names go out of scope.
        self.scope.truncate(depth);
        Some(Block { stmts })
    }

    fn stmt(&mut self, s: &RhaiStmt) -> Option<Stmt> {
        Some(match s {
            // An empty statement still makes the block's value `()` when it comes last.
            RhaiStmt::Noop(_) => Stmt::Expr(Node::Unit),
            // `let` only: no `const` (its value may be propagated) and no `export`.
            RhaiStmt::Var(x, flags, _) if flags.is_empty() => {
                let (ident, value, replaces) = &**x;
                if PARAMS.contains(&ident.name.as_str()) {
                    return None;
                }
                // The value is read before the new name is in scope, as Rhai evaluates it.
                let value = self.expr(value)?;
                let slot = self.slots;
                self.slots += 1;
                match replaces {
                    None => self.scope.push((ident.name.to_string(), Binding::Slot(slot))),
                    // A `let` that shadows a variable of the same block overwrites that one's
                    // place in Rhai's scope instead of adding one (later indexes count on it).
                    Some(i) => {
                        let at = self.scope.len().checked_sub(i.get())?;
                        let entry = self.scope.get_mut(at)?;
                        if entry.0 != ident.name.as_str() || !matches!(entry.1, Binding::Slot(_)) {
                            return None;
                        }
                        entry.1 = Binding::Slot(slot);
                    }
                }
                Stmt::Let(slot, value)
            }
            // `return`, not `throw` (flagged BREAK).
            RhaiStmt::Return(value, flags, _) if flags.is_empty() => Stmt::Return(match value {
                Some(e) => self.expr(e)?,
                None => Node::Unit,
            }),
            RhaiStmt::If(flow, _) => Stmt::Expr(self.if_node(flow)?),
            RhaiStmt::Expr(e) => Stmt::Expr(self.expr(e)?),
            RhaiStmt::FnCall(call, _) => Stmt::Expr(self.call(call)?),
            _ => return None,
        })
    }

    fn if_node(&mut self, flow: &FlowControl) -> Option<Node> {
        let cond = self.expr(&flow.expr)?;
        let then = self.block(&flow.body)?;
        let otherwise = match flow.branch.statements() {
            [] => None,
            _ => Some(Box::new(self.block(&flow.branch)?)),
        };
        Some(Node::If(Box::new(cond), Box::new(then), otherwise))
    }

    fn expr(&mut self, e: &Expr) -> Option<Node> {
        Some(match e {
            Expr::DynamicConstant(d, _) => constant(d)?,
            Expr::BoolConstant(b, _) => Node::Bool(*b),
            Expr::IntegerConstant(i, _) => Node::Int(*i),
            Expr::FloatConstant(f, _) => Node::Float(**f),
            Expr::StringConstant(s, _) => Node::Str(s.to_string()),
            Expr::Unit(_) => Node::Unit,
            Expr::InterpolatedString(parts, _) => Node::Interp(
                parts
                    .iter()
                    .map(|p| match p {
                        Expr::StringConstant(s, _) => Some(Part::Lit(s.to_string())),
                        e => self.expr(e).map(Part::Expr),
                    })
                    .collect::<Option<_>>()?,
            ),
            Expr::Map(x, _) => {
                let (entries, template) = &**x;
                // Rhai fills a copy of the template with the entries: with each key once in
                // both, the map is the entries.
                let unique =
                    entries.iter().enumerate().all(|(i, (k, _))| entries[..i].iter().all(|(j, _)| j.name != k.name));
                if !unique
                    || entries.len() != template.len()
                    || entries.len() > Limits::default().max_map_size
                    || entries.iter().any(|(k, _)| !template.contains_key(k.name.as_str()))
                {
                    return None;
                }
                Node::Map(
                    entries.iter().map(|(k, v)| Some((k.name.to_string(), self.expr(v)?))).collect::<Option<_>>()?,
                )
            }
            Expr::Variable(..) => match self.variable(e)? {
                Binding::Slot(slot) => Node::Var(slot),
                // `n` or `g` alone (not a field) is left to Rhai.
                Binding::Newcomer | Binding::Group => return None,
            },
            // Rhai wraps an `if` in expression position in a block of its own.
            Expr::Stmt(b) => match b.statements() {
                [RhaiStmt::If(flow, _)] => self.if_node(flow)?,
                _ => return None,
            },
            Expr::FnCall(call, _) => self.call(call)?,
            // `.`, not `?.` (flagged NEGATED).
            Expr::Dot(x, flags, _) if flags.is_empty() => self.chain(&x.lhs, &x.rhs)?,
            Expr::And(xs, _) => self.logic(Bin::And, xs)?,
            Expr::Or(xs, _) => self.logic(Bin::Or, xs)?,
            _ => return None,
        })
    }

    /// `a && b && c` is one node in Rhai; each operand must be a bool and the first that
    /// decides ends it, which a left fold of `Bin::And`/`Bin::Or` does alike.
    fn logic(&mut self, op: Bin, xs: &[Expr]) -> Option<Node> {
        let (first, rest) = xs.split_first()?;
        if rest.is_empty() {
            return None;
        }
        let mut node = self.expr(first)?;
        for x in rest {
            node = Node::Binary(op, Box::new(node), Box::new(self.expr(x)?));
        }
        Some(node)
    }

    /// A call by name: an operator (Rhai's parser makes `a + b`, `!a`, `-a` and `x in list`,
    /// which is `contains(list, x)`, calls too) or a helper of the script API.
    fn call(&mut self, call: &FnCallExpr) -> Option<Node> {
        if call.is_qualified() || call.capture_parent_scope {
            return None;
        }
        let mut args = call.args.iter().map(|a| self.expr(a)).collect::<Option<Vec<_>>>()?;
        let name = call.name.as_str();
        Some(match (name, args.len()) {
            ("!", 1) => Node::Not(Box::new(args.pop()?)),
            ("-", 1) => Node::Neg(Box::new(args.pop()?)),
            // The operator's node, in its written order: it evaluates without building a list of
            // arguments, and both operands are free of effects, so the order is not observable.
            ("contains", 2) => {
                let x = args.pop()?;
                let list = args.pop()?;
                Node::Binary(Bin::In, Box::new(x), Box::new(list))
            }
            (_, 2) if operator(name).is_some() => {
                let rhs = args.pop()?;
                let lhs = args.pop()?;
                Node::Binary(operator(name)?, Box::new(lhs), Box::new(rhs))
            }
            _ => {
                let h = helper(name)?;
                if args.len() != arity(h) {
                    return None;
                }
                Node::Call(h, args)
            }
        })
    }

    /// `base.a.b()`: Rhai nests a chain to the right, `Dot(base, Dot(a, b()))`.
    fn chain(&mut self, base: &Expr, rhs: &Expr) -> Option<Node> {
        let mut steps = Vec::new();
        let mut rest = rhs;
        loop {
            match rest {
                Expr::Dot(x, flags, _) if flags.is_empty() => {
                    steps.push(&x.lhs);
                    rest = &x.rhs;
                }
                Expr::Dot(..) => return None,
                last => {
                    steps.push(last);
                    break;
                }
            }
        }
        let mut steps = steps.into_iter();
        let on_param = |steps: &mut std::vec::IntoIter<&Expr>, field: fn(&str) -> Option<Field>| match steps.next()? {
            Expr::Property(p, _) => field(p.2.as_str()).map(Node::Field),
            _ => None,
        };
        let mut node = match base {
            Expr::Variable(..) => match self.variable(base)? {
                Binding::Slot(slot) => Node::Var(slot),
                Binding::Newcomer => on_param(&mut steps, newcomer_field)?,
                Binding::Group => on_param(&mut steps, group_field)?,
            },
            other => self.expr(other)?,
        };
        for step in steps {
            node = match step {
                // The getters the API registers on lists and ages.
                Expr::Property(p, _) => match p.2.as_str() {
                    "len" => Node::Call(Helper::Len, vec![node]),
                    "is_empty" => Node::Call(Helper::IsEmpty, vec![node]),
                    _ => return None,
                },
                Expr::MethodCall(call, _) if !call.is_qualified() && !call.capture_parent_scope => {
                    let h = match call.name.as_str() {
                        "len" => Helper::Len,
                        "is_empty" => Helper::IsEmpty,
                        "contains" => Helper::Contains,
                        _ => return None,
                    };
                    let mut args = vec![node];
                    for a in call.args.iter() {
                        args.push(self.expr(a)?);
                    }
                    if args.len() != arity(h) {
                        return None;
                    }
                    Node::Call(h, args)
                }
                _ => return None,
            };
        }
        Some(node)
    }

    fn variable(&self, e: &Expr) -> Option<Binding> {
        let Expr::Variable(x, short, _) = e else { return None };
        let (long, name, namespace, _) = &**x;
        if !namespace.is_empty() {
            return None;
        }
        let at = self.scope.iter().rposition(|(v, _)| v == name.as_str())?;
        // Where the parser computed one, Rhai reads the variable at this offset from the end of
        // its scope instead of by name: both must find the same one.
        let index = short.map(|i| usize::from(i.get())).or(long.map(NonZeroUsize::get));
        if index.is_some_and(|i| self.scope.len() - at != i) {
            return None;
        }
        Some(self.scope[at].1)
    }
}

/// A constant the optimiser folded (a map literal of constants among them).
fn constant(d: &Dynamic) -> Option<Node> {
    if d.is_unit() {
        return Some(Node::Unit);
    }
    if let Ok(b) = d.as_bool() {
        return Some(Node::Bool(b));
    }
    if let Ok(i) = d.as_int() {
        return Some(Node::Int(i));
    }
    if let Ok(f) = d.as_float() {
        return Some(Node::Float(f));
    }
    if d.is_string() {
        return Some(Node::Str(d.clone().into_string().ok()?));
    }
    let map = d.read_lock::<Map>()?;
    if map.len() > Limits::default().max_map_size {
        return None;
    }
    Some(Node::Map(map.iter().map(|(k, v)| Some((k.to_string(), constant(v)?))).collect::<Option<_>>()?))
}

fn operator(name: &str) -> Option<Bin> {
    Some(match name {
        "==" => Bin::Eq,
        "!=" => Bin::Ne,
        "<" => Bin::Lt,
        "<=" => Bin::Le,
        ">" => Bin::Gt,
        ">=" => Bin::Ge,
        "+" => Bin::Add,
        "-" => Bin::Sub,
        "*" => Bin::Mul,
        "/" => Bin::Div,
        "%" => Bin::Rem,
        _ => return None,
    })
}

fn arity(h: Helper) -> usize {
    match h {
        Helper::Overlap
        | Helper::Jaccard
        | Helper::SharesLanguage
        | Helper::HasAny
        | Helper::HasAll
        | Helper::AgeGap
        | Helper::Contains => 2,
        Helper::CountBetween | Helper::Clamp => 3,
        Helper::MinAge | Helper::MaxAge | Helper::MeanAge | Helper::CefrRank | Helper::Len | Helper::IsEmpty => 1,
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
        // Registered functions too, so `len(x)` is `x.len()`.
        "len" => Helper::Len,
        "is_empty" => Helper::IsEmpty,
        _ => return None,
    })
}
