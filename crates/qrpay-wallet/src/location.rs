//! Where a wallet's ledger lives, as one setting: a file path (SQLite) or a `postgres://` URL.
//!
//! ```
//! use qrpay_wallet::location::Location;
//!
//! assert!(matches!(Location::parse("wallet.db"), Location::Sqlite(_)));
//! let pg = Location::parse("postgres://app:secret@db.internal/wallet");
//! assert!(matches!(pg, Location::Postgres(_)));
//! // The password is never shown.
//! assert_eq!(pg.to_string(), "postgres://…@db.internal/wallet");
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::id::Clock;
use crate::store::{Store, StoreError};

/// A store's location.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// An SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL (or compatible) database URL, `postgres://` or `postgresql://`.
    Postgres(String),
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Location({self})")
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            // User and password stay out of logs and error messages.
            Location::Postgres(url) => match url.rsplit_once('@') {
                Some((scheme_user, host)) => {
                    let scheme = scheme_user.split_once("://").map_or("postgres", |(s, _)| s);
                    write!(f, "{scheme}://…@{host}")
                }
                None => write!(f, "{url}"),
            },
        }
    }
}

impl Location {
    /// A `postgres://` or `postgresql://` URL is a PostgreSQL location; anything else is a file.
    #[must_use]
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_owned())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    /// As [`Location::parse`], for a command-line path (a non-UTF-8 path is a file).
    #[must_use]
    pub fn from_path(path: &Path) -> Location {
        match path.to_str() {
            Some(text) => Location::parse(text),
            None => Location::Sqlite(path.to_path_buf()),
        }
    }

    /// Opens the store: SQLite creates the file if needed, PostgreSQL applies migrations.
    ///
    /// # Errors
    /// The store's own errors ([`StoreError::Database`] when the file or server cannot be
    /// opened, [`StoreError::SchemaTooNew`]); a PostgreSQL URL in a build without the
    /// `postgres` feature is a [`StoreError::Database`] that says so.
    pub fn open(&self, clock: Arc<dyn Clock>) -> Result<Arc<dyn Store>, StoreError> {
        match self {
            Location::Sqlite(path) => Ok(Arc::new(crate::sqlite::SqliteStore::open(path, clock)?)),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => Ok(Arc::new(crate::postgres::PgStore::open(url, clock)?)),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(_) => Err(StoreError::Database {
                context: "opening a PostgreSQL store",
                source: "this build of qrpay-wallet lacks the `postgres` feature".into(),
            }),
        }
    }
}
