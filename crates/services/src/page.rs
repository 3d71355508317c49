//! Cursor pagination over id-ordered tables (ids are time-ordered UUIDv7 strings).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use domain::error::{AppError, AppResult};
use domain::policy::Scope;

/// A list narrowed to the caller's own city where their scope has one, and to the city asked
/// for (FORBIDDEN outside the scope): the city rule of the lists whose rows carry a city.
pub fn in_city<E: EntityTrait>(
    mut q: Select<E>,
    scope: &Scope,
    asked: Option<&str>,
    column: impl ColumnTrait,
) -> AppResult<Select<E>> {
    if let Some(c) = scope.city() {
        q = q.filter(column.eq(c));
    }
    if let Some(c) = asked {
        q = q.filter(column.eq(scope.city_filter(c)?));
    }
    Ok(q)
}

pub const DEFAULT_PAGE: i32 = 20;
pub const MAX_PAGE: i32 = 100;

/// Validated `first` / `after` arguments.
#[derive(Clone, Debug)]
pub struct PageArgs {
    pub first: u64,
    pub after: Option<String>,
}

impl PageArgs {
    pub fn parse(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let first = first.unwrap_or(DEFAULT_PAGE);
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(AppError::bad_input("first", format!("first must be between 0 and {MAX_PAGE}, got {first}")));
        }
        let after = match after {
            None => None,
            Some(c) => Some(decode_cursor(c)?),
        };
        Ok(Self { first: first as u64, after })
    }
}

/// One page of records, whether more follow, and how many match in all.
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
    pub total: u64,
}

pub fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> AppResult<String> {
    let bad = || AppError::bad_input("after", "after is not a cursor this API returned");
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let id = String::from_utf8(bytes).map_err(|_| bad())?;
    if id.len() > 64 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(bad());
    }
    Ok(id)
}

/// Runs `select` (already filtered to what the caller may see) for one page, oldest first
/// (ids are time-ordered).
pub async fn fetch<E, C>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    args: &PageArgs,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ColumnTrait,
{
    fetch_ordered(conn, select, id, args, false).await
}

/// Like `fetch`, newest first.
pub async fn fetch_newest_first<E, C>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    args: &PageArgs,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ColumnTrait,
{
    fetch_ordered(conn, select, id, args, true).await
}

async fn fetch_ordered<E, C>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    args: &PageArgs,
    newest_first: bool,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ColumnTrait,
{
    let total = select.clone().count(conn).await?;
    let mut q = if newest_first { select.order_by_desc(id) } else { select.order_by_asc(id) };
    if let Some(after) = &args.after {
        q = q.filter(if newest_first { id.lt(after.as_str()) } else { id.gt(after.as_str()) });
    }
    let mut items = q.limit(args.first + 1).all(conn).await?;
    let has_next = items.len() as u64 > args.first;
    items.truncate(args.first as usize);
    Ok(Page { items, has_next, total })
}
