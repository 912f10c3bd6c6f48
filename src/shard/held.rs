//! A merge's shared files, read once: while [`super::merge_files`] reads a partial, the responses and
//! resolutions files the partials before it carried are held here, and a partial's copy of one of them
//! (the same name) is compared with it row by row as it is parsed, never kept. A merge of many shards,
//! each scored with the whole responses file, so holds that file's rows once: before, every shard's copy
//! was parsed whole and dropped after, and the copy being parsed beside the kept one made the peak.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::Partial;
use crate::error::RowProblem;
use crate::ingest::answers::{RawFile, RawResolution, RawResponse};

/// A held file, and the partial that carried it (its place in the merge's list).
pub(super) struct Carried<T> {
    by: usize,
    file: RawFile<T>,
}

/// The files held while one merge reads its partials.
#[derive(Default)]
pub(super) struct Held {
    responses: Vec<Carried<RawResponse>>,
    resolutions: Vec<Carried<RawResolution>>,
    /// A held file that the partial just read carries with other rows: its kind (`responses` or
    /// `resolutions`), its name, and the partial that carried it first.
    pub(super) differs: Option<(&'static str, String, usize)>,
}

impl Held {
    /// Takes the files of `p`, the partial at place `by`, into the held ones (a copy of a held file was
    /// never kept: it reads as `None`).
    pub(super) fn hold(&mut self, by: usize, p: &mut Partial) {
        if let Some(file) = p.responses.take() {
            self.responses.push(Carried { by, file });
        }
        if let Some(file) = p.resolutions.take() {
            self.resolutions.push(Carried { by, file });
        }
    }

    /// Takes every held file, each with the place of the partial that carried it.
    #[allow(clippy::type_complexity)] // Two lists of one shape, for the two kinds of file.
    pub(super) fn take_files(&mut self) -> (Vec<(usize, RawFile<RawResponse>)>, Vec<(usize, RawFile<RawResolution>)>) {
        (
            files(std::mem::take(&mut self.responses)),
            files(std::mem::take(&mut self.resolutions)),
        )
    }
}

/// Held files with the places of the partials that carried them.
fn files<T>(held: Vec<Carried<T>>) -> Vec<(usize, RawFile<T>)> {
    held.into_iter().map(|c| (c.by, c.file)).collect()
}

thread_local! {
    static HELD: RefCell<Held> = RefCell::new(Held::default());
}

/// Runs `f` with the held files (a merge fills them between its reads).
pub(super) fn with<R>(f: impl FnOnce(&mut Held) -> R) -> R {
    HELD.with(|h| f(&mut h.borrow_mut()))
}

/// Empties the held files when dropped, so that a merge that fails leaves nothing behind for the next
/// reader on this thread.
pub(super) struct Clear;

impl Drop for Clear {
    fn drop(&mut self) {
        with(|h| *h = Held::default());
    }
}

/// A row type whose files may be held.
pub(super) trait Row: DeserializeOwned + PartialEq + Sized {
    /// The kind of file, as an option names it.
    const WHAT: &'static str;
    /// Runs `f` with the held files of this type.
    fn held<R>(f: impl FnOnce(&[Carried<Self>]) -> R) -> R;
}

impl Row for RawResponse {
    const WHAT: &'static str = "responses";
    fn held<R>(f: impl FnOnce(&[Carried<Self>]) -> R) -> R {
        HELD.with(|h| f(&h.borrow().responses))
    }
}

impl Row for RawResolution {
    const WHAT: &'static str = "resolutions";
    fn held<R>(f: impl FnOnce(&[Carried<Self>]) -> R) -> R {
        HELD.with(|h| f(&h.borrow().resolutions))
    }
}

/// `deserialize_with` for a partial's responses or resolutions: the file as written, or `None` where it
/// is a copy of a held file (noting in [`Held::differs`] a copy whose rows differ).
pub(super) fn file<'de, D: Deserializer<'de>, T: Row>(d: D) -> Result<Option<RawFile<T>>, D::Error> {
    d.deserialize_option(OptionVisitor(PhantomData))
}

struct OptionVisitor<T>(PhantomData<T>);

impl<'de, T: Row> Visitor<'de> for OptionVisitor<T> {
    type Value = Option<RawFile<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a file's rows or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(FileVisitor(PhantomData))
    }
}

/// The rows of a file: parsed, or compared with a held copy's as they are read.
enum Rows<T> {
    Parsed(Vec<T>),
    Compared { equal: bool },
}

struct FileVisitor<T>(PhantomData<T>);

impl<'de, T: Row> Visitor<'de> for FileVisitor<T> {
    type Value = Option<RawFile<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a file's rows")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut file, mut path, mut read, mut rows, mut rejects, mut later) =
            (None::<String>, None::<String>, None, None, None, 0);
        // A held file is this one by its name or by its absolute path.
        let is = |c: &Carried<T>, file: Option<&str>, path: Option<&str>| {
            file.is_some_and(|n| c.file.file == n) || path.is_some() && c.file.path.as_deref() == path
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "file" => file = Some(map.next_value()?),
                "path" => path = map.next_value()?,
                "read" => read = Some(map.next_value()?),
                "rows" => {
                    // Written after the name and path, so a copy is known by then; otherwise parsed whole.
                    let (name, at) = (file.as_deref(), path.as_deref());
                    let held = T::held(|h| h.iter().position(|c| is(c, name, at)));
                    rows = Some(map.next_value_seed(RowsSeed::<T> { held, row: PhantomData })?);
                }
                "rejects" => rejects = Some(map.next_value::<Vec<RowProblem>>()?),
                "later" => later = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        use serde::de::Error;
        let file = file.ok_or_else(|| A::Error::missing_field("file"))?;
        let read = read.ok_or_else(|| A::Error::missing_field("read"))?;
        let rows = rows.ok_or_else(|| A::Error::missing_field("rows"))?;
        let rejects = rejects.ok_or_else(|| A::Error::missing_field("rejects"))?;
        let held = T::held(|h| {
            let c = h.iter().find(|c| is(c, Some(&file), path.as_deref()))?;
            let f = &c.file;
            let rows_equal = match &rows {
                Rows::Parsed(parsed) => *parsed == f.rows,
                Rows::Compared { equal } => *equal,
            };
            Some((
                c.by,
                rows_equal
                    && f.read == read
                    && crate::ingest::answers::same_refusals(&f.rejects, &rejects)
                    && f.later == later,
            ))
        });
        match (held, rows) {
            (Some((_, true)), _) => Ok(None),
            (Some((by, false)), _) => {
                with(|h| h.differs = Some((T::WHAT, file, by)));
                Ok(None)
            }
            (None, Rows::Parsed(rows)) => Ok(Some(RawFile {
                file,
                path,
                read,
                rows,
                rejects,
                later,
                unkeyed: false,
            })),
            // Compared only with a held file of its name, which was found above.
            (None, Rows::Compared { .. }) => Err(A::Error::custom("a compared file was not held")),
        }
    }
}

/// Reads a file's rows: whole, or (`held`: the place of a held file of the same name) one at a time,
/// each compared with the held file's row and dropped ([`CompareRows`]).
struct RowsSeed<T> {
    held: Option<usize>,
    row: PhantomData<T>,
}

impl<'de, T: Row> DeserializeSeed<'de> for RowsSeed<T> {
    type Value = Rows<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self.held {
            None => Ok(Rows::Parsed(Vec::<T>::deserialize(d)?)),
            Some(k) => d.deserialize_seq(CompareRows::<T> { k, row: PhantomData }),
        }
    }
}

/// Compares a file's rows, as they are parsed, with those of held file `k`.
struct CompareRows<T> {
    k: usize,
    row: PhantomData<T>,
}

impl<'de, T: Row> Visitor<'de> for CompareRows<T> {
    type Value = Rows<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Parsing a row does not touch the held files, so one borrow serves the whole list.
        T::held(|h| {
            let held = &h[self.k].file.rows;
            let (mut n, mut equal) = (0, true);
            while let Some(row) = seq.next_element::<T>()? {
                equal = equal && held.get(n) == Some(&row);
                n += 1;
            }
            Ok(Rows::Compared {
                equal: equal && held.len() == n,
            })
        })
    }
}
