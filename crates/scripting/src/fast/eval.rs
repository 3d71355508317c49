//! Evaluating the tree of `compile` on one pair's data, deferring to Rhai (`Defer`) wherever
//! Rhai's result is not certain here. Kept apart from the translation so that what a pair
//! scores natively can be read in one place.

use std::borrow::Cow;

use rhai::INT;

use super::super::api::{Ages, GroupData, NewcomerData, Tags, cefr_rank};
use super::super::engine::Limits;
use super::super::matrix::INELIGIBLE;
use super::super::script::MAX_POINTS;
use super::{Bin, Block, FastScript, Field, Helper, Node, Part, Stmt};

/// A value during evaluation; strings and lists borrow from the round's data.
#[derive(Clone, Debug)]
enum Value<'a> {
    Unit,
    Bool(bool),
    Int(INT),
    Float(f64),
    Str(Cow<'a, str>),
    Tags(&'a Tags),
    Ages(&'a Ages),
    /// A map literal: criterion → value, keys unique.
    Map(Vec<(&'a str, Value<'a>)>),
}

/// "Rhai decides": the native evaluation of this pair stops.
#[derive(Debug)]
pub struct Defer;

type R<T> = Result<T, Defer>;

impl FastScript {
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
    if !points.is_finite() || points.abs() > MAX_POINTS {
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
        for s in &b.stmts {
            last = match s {
                Stmt::Let(slot, e) => {
                    let v = self.expr(e)?;
                    self.slots[*slot] = v;
                    Value::Unit
                }
                Stmt::Return(e) => return Ok(Flow::Return(self.expr(e)?)),
                // An `if` statement may `return` from inside.
                Stmt::Expr(Node::If(c, t, o)) => match self.if_expr(c, t, o.as_deref())? {
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    Flow::Value(v) => v,
                },
                Stmt::Expr(e) => self.expr(e)?,
            };
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
                // Rhai refuses a string over the engine's limit; that error is Rhai's to report.
                if s.len() >= Limits::default().max_string_size {
                    return Err(Defer);
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
