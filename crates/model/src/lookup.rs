//! Finding a resource by id within a scope, with AWS's Malformed and NotFound errors (the
//! codes of each kind come from [`crate::kinds`]).

use crate::error::Result;
use crate::kinds::Kind;
use crate::quotas::Quotas;
use crate::scope::Scope;
use crate::table::Table;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A resource that belongs to one account and region.
pub trait Owned {
    fn owner(&self) -> &Scope;
}

macro_rules! owned {
    (tables { $($tables:tt)* } owned { $($t:ty;)* } $($rest:tt)*) => {$(
        impl Owned for $t {
            fn owner(&self) -> &Scope {
                &self.owner
            }
        }
    )*};
}
crate::kinds::with_every_resource!(owned);

impl<T: Owned + Clone + Serialize + DeserializeOwned> Table<T> {
    /// The resource `id` of `scope`, or AWS's Malformed / NotFound error.
    pub fn find(&self, kind: &Kind, scope: &Scope, id: &str) -> Result<&T> {
        kind.check_format(id)?;
        self.get(id).filter(|r| r.owner() == scope).ok_or_else(|| kind.not_found(id))
    }

    /// As [`Table::find`], for writing.
    pub fn find_mut(&mut self, kind: &Kind, scope: &Scope, id: &str) -> Result<&mut T> {
        kind.check_format(id)?;
        if self.get(id).is_none_or(|r| r.owner() != scope) {
            return Err(kind.not_found(id));
        }
        self.get_mut(id).ok_or_else(|| kind.not_found(id))
    }

    /// Every resource of `scope`, in id order (from the index where the table keeps one).
    pub fn in_scope<'a>(&'a self, scope: &'a Scope) -> Box<dyn Iterator<Item = &'a T> + 'a> {
        if self.is_indexed() {
            Box::new(self.rows_keyed(&crate::indexes::scope_key(scope)))
        } else {
            Box::new(self.values().filter(move |r| r.owner() == scope))
        }
    }

    /// Whether `scope` holds `quota` resources or more: a quota check that stops counting at the
    /// quota (counted from the index where the table keeps one), and does not count at all
    /// when quotas are raised.
    pub fn reaches(&self, scope: &Scope, quota: usize) -> bool {
        if quota >= Quotas::UNLIMITED {
            return false;
        }
        if self.is_indexed() {
            return self.count_keyed(&crate::indexes::scope_key(scope)) >= quota;
        }
        self.in_scope(scope).take(quota).count() >= quota
    }
}
