//! The one path of an EC2 Describe call: filter names checked, requested ids checked, rows kept
//! when asked for and passing the filters, one page rendered.
//!
//! The order is AWS's and every handler's: an unknown filter name fails before a missing id,
//! which fails before a bad `MaxResults` or `NextToken`.

use super::filter::{Filters, Row, Table};
use super::page::paginate;
use crate::Outcome;
use model::kinds::Kind;
use model::types::ec2::Tags;
use model::{Scope, World};
use shapes::ec2::Filter;
use std::borrow::Cow;

/// What every Describe request carries, whatever its shape names the members.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'r> {
    pub filters: &'r [Filter],
    /// The ids asked for: when any, only rows of these ids are listed.
    pub ids: &'r [String],
    pub max_results: Option<i32>,
    pub next_token: Option<&'r str>,
    /// The operation's documented MaxResults range.
    pub limits: (i32, i32),
}

impl<'r> Ask<'r> {
    pub fn new(
        filters: &'r [Filter],
        ids: &'r [String],
        max_results: Option<i32>,
        next_token: &'r Option<String>,
        limits: (i32, i32),
    ) -> Self {
        Ask { filters, ids, max_results, next_token: next_token.as_deref(), limits }
    }
}

/// A row as listed: its id (the page order, what `Ask::ids` names; made up for rows without
/// one), the row filters read and the tags the caller sees on it.
#[derive(Debug)]
pub struct Listed<'w, T: 'static, P: 'static = ()> {
    pub id: Cow<'w, str>,
    pub row: Row<'w, T, P>,
    pub tags: &'w Tags,
}

/// A stored resource with an id and tags of its own (every kind the model's registry tags),
/// listed as itself.
pub trait Resource: model::tags::Tagged + Sized + 'static {
    fn listed<'w>(&'w self, w: &'w World, scope: &'w Scope) -> Listed<'w, Self> {
        Listed { id: Cow::Borrowed(self.id()), row: Row::new(w, scope, self), tags: self.tags() }
    }
}

impl<T: model::tags::Tagged + 'static> Resource for T {}

/// Every id requested names a resource of `table` in `scope`, else the kind's NotFound (for a
/// malformed id too, as these Describes answered before the shared path).
pub fn require_found<T>(
    table: &model::Table<T>,
    kind: &Kind,
    scope: &Scope,
    ids: &[String],
) -> Result<(), model::Error>
where
    T: model::lookup::Owned + Clone + serde::Serialize + serde::de::DeserializeOwned,
{
    super::common::require_all(ids, |id| table.find(kind, scope, id).ok(), |id| kind.not_found(id))
        .map(drop)
}

/// Every resource of `table` in `scope`, listed as itself, in id order.
pub fn in_scope<'w, T>(
    table: &'w model::Table<T>,
    w: &'w World,
    scope: &'w Scope,
) -> impl Iterator<Item = Listed<'w, T>> + 'w
where
    T: Resource + model::lookup::Owned + Clone + serde::Serialize + serde::de::DeserializeOwned,
{
    table.in_scope(scope).map(move |r| r.listed(w, scope))
}

/// Rows without tags of their own (filters on tags match nothing).
pub static NO_TAGS: Tags = Tags::new();

/// A Describe call: `table`'s names checked against `ask.filters`; then `list`, which checks
/// the requested ids (failing on the first missing one) and yields the rows in page order (id
/// order, or stored order for rows whose ids are positions); then
/// the rows asked for that pass the filters, paginated; then the page rendered (only the page:
/// rendering is the expensive part).
pub fn describe<'w, T, P, I, R>(
    ask: Ask<'_>,
    table: Table<T, P>,
    list: impl FnOnce(&[String]) -> Outcome<I>,
    render: impl FnMut(Row<'w, T, P>) -> R,
) -> Outcome<(Vec<R>, Option<String>)>
where
    I: Iterator<Item = Listed<'w, T, P>>,
{
    let filters = Filters::new(ask.filters, table)?;
    let items = list(ask.ids)?
        .filter(|l| ask.ids.is_empty() || ask.ids.iter().any(|id| *id == l.id))
        .filter(|l| filters.matches(&l.row, l.tags))
        .map(|l| (l.id.into_owned(), l.row))
        .collect();
    let (page, next_token) = paginate(items, ask.max_results, ask.next_token, ask.limits)?;
    Ok((page.into_iter().map(render).collect(), next_token))
}
