//! A merge's shared files, read once: while [`super::merge_files`] reads a partial, the responses and
//! resolutions files the partials before it carried are held here, and a partial's copy of one of them
//! (one of its names, or its absolute path) is compared with it row by row as it is parsed, never
//! kept. A merge of many shards,
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

/// A responses or resolutions file that shards carry, kept once, with every spelling the shards gave it.
pub(super) struct Shared<T> {
    pub(super) file: RawFile<T>,
    /// Each name the file was given, with its absolute path where known and the place (in the merge's
    /// list) of the partial that gave it; the first is the partial that carried the rows.
    pub(super) spellings: Vec<Spelling>,
}

/// One name of a shared file.
pub(super) struct Spelling {
    pub(super) name: String,
    pub(super) path: Option<String>,
    pub(super) by: usize,
}

/// A partial's copy of a shared file whose rows differ from the file's: its kind (`responses` or
/// `resolutions`), the name it was given, the place of the partial that gave the file first under a
/// spelling that matches, and the absolute path both name where it is the same file by path (it changed
/// between the two scorings).
pub(super) struct Differs {
    pub(super) what: &'static str,
    pub(super) name: String,
    pub(super) by: usize,
    pub(super) same_path: Option<String>,
}

impl<T> Shared<T> {
    /// `file`, carried by the partial at place `by`, under the one spelling it was given.
    pub(super) fn new(file: RawFile<T>, by: usize) -> Shared<T> {
        let spelling = Spelling {
            name: file.file.clone(),
            path: file.path.clone(),
            by,
        };
        Shared {
            file,
            spellings: vec![spelling],
        }
    }

    /// Whether a file given as `name` (absolute path `path`) is this one: one of its names, or one of its
    /// paths.
    pub(super) fn is(&self, name: &str, path: Option<&str>) -> bool {
        self.spellings
            .iter()
            .any(|s| s.name == name || path.is_some() && s.path.as_deref() == path)
    }

    /// The report of a copy given as `name`/`path` whose rows differ from this file's: where one of its
    /// spellings has that absolute path, the same file changed between two scorings; otherwise another
    /// file of one of its names.
    pub(super) fn differs(&self, what: &'static str, name: &str, path: Option<&str>) -> Differs {
        let by_path = self
            .spellings
            .iter()
            .find(|s| path.is_some() && s.path.as_deref() == path);
        let s = by_path
            .or_else(|| self.spellings.iter().find(|s| s.name == name))
            .unwrap_or(&self.spellings[0]);
        Differs {
            what,
            name: name.to_owned(),
            by: s.by,
            same_path: by_path.and_then(|s| s.path.clone()),
        }
    }
}

/// Whether two copies hold the same rows, refusals and rows set aside, whatever their names.
fn same_content<T: PartialEq>(a: &RawFile<T>, b: &RawFile<T>) -> bool {
    a.read == b.read
        && a.later == b.later
        && crate::ingest::answers::same_refusals(&a.rejects, &b.rejects)
        && a.rows == b.rows
}

/// Adds `file`, given by the partial at place `by`, to `files`: a new file, or another spelling of one
/// held ([`settle`]).
pub(super) fn join<T: PartialEq>(
    what: &'static str,
    files: &mut Vec<Shared<T>>,
    file: RawFile<T>,
    by: usize,
) -> Result<(), Differs> {
    let (name, path) = (file.file.clone(), file.path.clone());
    match settle(what, files, name, path, by, |held| same_content(held, &file)) {
        Some(settled) => settled,
        None => {
            files.push(Shared::new(file, by));
            Ok(())
        }
    }
}

/// Settles a copy given as `name`/`path` by the partial at place `by` among the held `files`: `None`
/// where it names none of them (it is a new file). Otherwise every held file it names, by name or path,
/// must hold its rows (`same_as` says whether the first does; the others are compared with the first),
/// or the report of the first that does not; then its spelling joins the first, which takes in the
/// others ([`bridge`]).
fn settle<T: PartialEq>(
    what: &'static str,
    files: &mut Vec<Shared<T>>,
    name: String,
    path: Option<String>,
    by: usize,
    same_as: impl FnOnce(&RawFile<T>) -> bool,
) -> Option<Result<(), Differs>> {
    let matches: Vec<usize> = (0..files.len())
        .filter(|&k| files[k].is(&name, path.as_deref()))
        .collect();
    let &first = matches.first()?;
    if !same_as(&files[first].file) {
        return Some(Err(files[first].differs(what, &name, path.as_deref())));
    }
    if let Some(&k) = matches[1..]
        .iter()
        .find(|&&k| !same_content(&files[k].file, &files[first].file))
    {
        return Some(Err(files[k].differs(what, &name, path.as_deref())));
    }
    files[first].spellings.push(Spelling { name, path, by });
    bridge(files, &matches);
    Some(Ok(()))
}

/// Makes one file of the held files at `matches` (places in order, the first kept), which a copy named
/// each of, by name or path, and whose rows are the same: their spellings go to the first, and the others
/// are dropped. Two shards can give one file two names in two folders (`d1/r.csv` as `r.csv`, `d2/r.csv`
/// as `./r.csv`, the same rows) before a third names it both ways (`r.csv` from `d2`): the first two were
/// held apart, and without this the file counted twice or once by the order of the partials (audit,
/// session 24).
fn bridge<T>(files: &mut Vec<Shared<T>>, matches: &[usize]) {
    for &k in matches[1..].iter().rev() {
        let other = files.remove(k);
        files[matches[0]].spellings.extend(other.spellings);
    }
}

/// The files held while one merge reads its partials.
#[derive(Default)]
pub(super) struct Held {
    responses: Vec<Shared<RawResponse>>,
    resolutions: Vec<Shared<RawResolution>>,
    /// The place of the partial being read, for the spellings its copies add.
    pub(super) reading: usize,
    /// A held file that the partial just read carries with other rows.
    pub(super) differs: Option<Differs>,
}

impl Held {
    /// Takes the files of `p`, the partial at place `by`, into the held ones (a copy of a held file was
    /// never kept: it reads as `None`, its spelling added to the held file's).
    pub(super) fn hold(&mut self, by: usize, p: &mut Partial) {
        if let Some(file) = p.responses.take() {
            self.responses.push(Shared::new(file, by));
        }
        if let Some(file) = p.resolutions.take() {
            self.resolutions.push(Shared::new(file, by));
        }
    }

    /// Takes every held file.
    pub(super) fn take_files(&mut self) -> (Vec<Shared<RawResponse>>, Vec<Shared<RawResolution>>) {
        (
            std::mem::take(&mut self.responses),
            std::mem::take(&mut self.resolutions),
        )
    }
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
    fn held<R>(f: impl FnOnce(&mut Vec<Shared<Self>>) -> R) -> R;
}

impl Row for RawResponse {
    const WHAT: &'static str = "responses";
    fn held<R>(f: impl FnOnce(&mut Vec<Shared<Self>>) -> R) -> R {
        HELD.with(|h| f(&mut h.borrow_mut().responses))
    }
}

impl Row for RawResolution {
    const WHAT: &'static str = "resolutions";
    fn held<R>(f: impl FnOnce(&mut Vec<Shared<Self>>) -> R) -> R {
        HELD.with(|h| f(&mut h.borrow_mut().resolutions))
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
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "file" => file = Some(map.next_value()?),
                "path" => path = map.next_value()?,
                "read" => read = Some(map.next_value()?),
                "rows" => {
                    // Written after the name and path, so a copy is known by then; otherwise parsed whole.
                    let (name, at) = (file.as_deref(), path.as_deref());
                    let held = name.and_then(|n| T::held(|h| h.iter().position(|c| c.is(n, at))));
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
        // A file no held one names is new (held once the partial is read); a copy of one is dropped, its
        // spelling added to the held file's, unless its rows differ from those of a held file it names.
        let reading = with(|h| h.reading);
        let same_as = |f: &RawFile<T>| {
            let rows_equal = match &rows {
                Rows::Parsed(parsed) => *parsed == f.rows,
                Rows::Compared { equal } => *equal,
            };
            rows_equal
                && f.read == read
                && f.later == later
                && crate::ingest::answers::same_refusals(&f.rejects, &rejects)
        };
        match T::held(|h| settle(T::WHAT, h, file.clone(), path.clone(), reading, same_as)) {
            Some(Ok(())) => Ok(None),
            Some(Err(differs)) => {
                with(|h| h.differs = Some(differs));
                Ok(None)
            }
            None => match rows {
                Rows::Parsed(rows) => Ok(Some(RawFile {
                    file,
                    path,
                    read,
                    rows,
                    rejects,
                    later,
                    unkeyed: false,
                })),
                // Compared only with a held file it names, which is found again above.
                Rows::Compared { .. } => Err(A::Error::custom("a compared file was not held")),
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, path: &str, read: u64) -> RawFile<RawResponse> {
        RawFile {
            file: name.to_owned(),
            path: Some(path.to_owned()),
            read,
            rows: Vec::new(),
            rejects: Vec::new(),
            later: 0,
            unkeyed: false,
        }
    }

    /// One file given as `r.csv` in d1, `./r.csv` in d2 and `r.csv` in d2 (the same rows): whatever the
    /// order, one file of three spellings; the same names with other rows are refused in every order.
    #[test]
    fn a_copy_named_two_ways_makes_one_file_in_any_order() {
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        for order in orders {
            let given = [
                file("r.csv", "/d1/r.csv", 5),
                file("./r.csv", "/d2/r.csv", 5),
                file("r.csv", "/d2/r.csv", 5),
            ];
            let mut files = Vec::new();
            for k in order {
                assert!(join("responses", &mut files, given[k].clone(), k).is_ok(), "{order:?}");
            }
            assert_eq!(files.len(), 1, "{order:?}");
            assert_eq!(files[0].spellings.len(), 3, "{order:?}");
        }
        for order in orders {
            let given = [
                file("r.csv", "/d1/r.csv", 5),
                file("./r.csv", "/d2/r.csv", 6),
                file("r.csv", "/d2/r.csv", 6),
            ];
            let mut files = Vec::new();
            let refused = order
                .iter()
                .map(|&k| join("responses", &mut files, given[k].clone(), k))
                .any(|r| r.is_err());
            assert!(refused, "{order:?}");
        }
    }

    /// A copy under the same absolute path with other rows is the file changed between two scorings,
    /// even under the same name.
    #[test]
    fn a_changed_file_is_told_by_its_path() {
        let mut files = Vec::new();
        join("responses", &mut files, file("r.csv", "/d/r.csv", 5), 0).ok();
        let Err(d) = join("responses", &mut files, file("r.csv", "/d/r.csv", 4), 1) else {
            panic!("rows differ")
        };
        assert_eq!(d.same_path.as_deref(), Some("/d/r.csv"));
        let Err(d) = join("responses", &mut files, file("r.csv", "/e/r.csv", 4), 1) else {
            panic!("rows differ")
        };
        assert_eq!(d.same_path, None);
    }
}
