//! Parquet outputs (feature `parquet`): `sources.parquet` and `claims.parquet`, the same columns as the CSV
//! files, typed.
//!
//! Strings are UTF-8 byte arrays, counts unsigned 64-bit integers, scores doubles and `rank` an unsigned
//! 32-bit integer, so DuckDB and polars read them as `VARCHAR`/`String`, `UBIGINT`/`UInt64`, `DOUBLE`/
//! `Float64` and `UINTEGER`/`UInt32`. Every score is the value the CSV prints (rounded to six decimals by
//! [`round6`]), so the two formats agree exactly and the bytes do not depend on digits the CSV hides. Text
//! is written as it came: spreadsheet-formula neutralising ([`super::cell`]) is for CSV only.
//!
//! Files are written with the low-level column writer of the `parquet` crate (no arrow), Snappy-compressed,
//! without timestamps: the writer's `created_by` is its own name and version only, so the same results give
//! the same bytes. `claims.parquet` is streamed: the second pass over the claims input encodes each block's
//! rows (`push_claim_record`) in parallel, and [`ClaimsParquet`] cuts them into row groups of
//! [`CLAIMS_ROW_GROUP`] rows in input order, so at most one row group is held in memory and the cut does
//! not depend on the block size or the thread count.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;

use crate::corpus::{Corpus, Mention};
use crate::error::{Error, Result};
use crate::ingest::{Loaded, Row};
use crate::model::{ClaimScore, Scores, SourceScore};
use crate::numfmt::round6;

/// Rows per row group of `claims.parquet`: about DuckDB's own (122,880), small enough that a row group's
/// buffers stay in the tens of megabytes, large enough for dictionary encoding to pay.
pub const CLAIMS_ROW_GROUP: usize = 1 << 17;

/// The schema of `sources.parquet`, in [`super::SOURCE_COLUMNS`] order.
const SOURCES_SCHEMA: &str = "message sources {
    REQUIRED BYTE_ARRAY source (STRING);
    REQUIRED INT64 claims (INTEGER(64,false));
    REQUIRED INT64 originals (INTEGER(64,false));
    REQUIRED INT64 relays (INTEGER(64,false));
    REQUIRED INT64 credited (INTEGER(64,false));
    REQUIRED INT64 answered (INTEGER(64,false));
    REQUIRED INT64 resolved (INTEGER(64,false));
    REQUIRED DOUBLE support;
    REQUIRED DOUBLE against;
    REQUIRED DOUBLE evidence;
    REQUIRED DOUBLE reliability;
    REQUIRED DOUBLE ci_low;
    REQUIRED DOUBLE ci_high;
    REQUIRED INT32 rank (INTEGER(32,false));
}";

/// The schema of `claims.parquet`, in [`super::CLAIM_COLUMNS`] order.
const CLAIMS_SCHEMA: &str = "message claims {
    REQUIRED BYTE_ARRAY claim_id (STRING);
    REQUIRED BYTE_ARRAY source (STRING);
    REQUIRED BYTE_ARRAY story_id (STRING);
    REQUIRED BYTE_ARRAY stance (STRING);
    REQUIRED BYTE_ARRAY role (STRING);
    REQUIRED BYTE_ARRAY credited_to (STRING);
    REQUIRED BYTE_ARRAY verdict (STRING);
    REQUIRED DOUBLE p_correct;
}";

/// One column's values for one row group.
enum Values<'a> {
    Text(&'a [ByteArray]),
    /// Unsigned counts, stored as the bit pattern of a signed 64-bit integer (Parquet's `UINT_64`).
    Count(&'a [i64]),
    Score(&'a [f64]),
    /// Unsigned 32-bit values, stored as the bit pattern of a signed 32-bit integer (`UINT_32`).
    Small(&'a [i32]),
}

fn parquet_error(file: &str) -> impl Fn(parquet::errors::ParquetError) -> Error + '_ {
    move |e| Error::Io {
        path: PathBuf::from(file),
        source: std::io::Error::other(e),
    }
}

/// A file writer for `schema`: Snappy pages, format version 1 pages (read by every reader), no timestamp
/// anywhere.
fn file_writer<W: Write + Send>(out: W, schema: &str, file: &str) -> Result<SerializedFileWriter<W>> {
    let schema = parquet::schema::parser::parse_message_type(schema).map_err(parquet_error(file))?;
    let props = WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_1_0)
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(None)
        .build();
    SerializedFileWriter::new(out, Arc::new(schema), Arc::new(props)).map_err(parquet_error(file))
}

/// Writes one row group, one [`Values`] per column of the schema, in order.
fn write_row_group<W: Write + Send>(w: &mut SerializedFileWriter<W>, columns: &[Values], file: &str) -> Result<()> {
    let err = parquet_error(file);
    let mut group = w.next_row_group().map_err(&err)?;
    let mut k = 0;
    while let Some(mut col) = group.next_column().map_err(&err)? {
        let written = match (col.untyped(), columns.get(k)) {
            (ColumnWriter::ByteArrayColumnWriter(c), Some(Values::Text(v))) => c.write_batch(v, None, None),
            (ColumnWriter::Int64ColumnWriter(c), Some(Values::Count(v))) => c.write_batch(v, None, None),
            (ColumnWriter::DoubleColumnWriter(c), Some(Values::Score(v))) => c.write_batch(v, None, None),
            (ColumnWriter::Int32ColumnWriter(c), Some(Values::Small(v))) => c.write_batch(v, None, None),
            _ => Err(parquet::errors::ParquetError::General(format!(
                "column {k} of the schema does not match its values"
            ))),
        };
        written.map_err(&err)?;
        col.close().map_err(&err)?;
        k += 1;
    }
    group.close().map_err(&err)?;
    Ok(())
}

/// The sources table as Parquet, best rank first: one row group.
///
/// # Errors
/// The Parquet writer fails (it writes to memory, so only on a bug).
pub fn sources_parquet(corpus: &Corpus, scores: &Scores) -> Result<Vec<u8>> {
    const FILE: &str = "sources.parquet";
    let rows = super::by_rank(scores);
    let names: Vec<ByteArray> = rows
        .iter()
        .map(|s| ByteArray::from(corpus.sources.name(s.id)))
        .collect();
    let counts: [fn(&SourceScore) -> u64; 6] = [
        |s| s.claims,
        |s| s.originals,
        |s| s.relays,
        |s| s.credited,
        |s| s.answered,
        |s| s.resolved,
    ];
    let counts: Vec<Vec<i64>> = counts
        .iter()
        .map(|f| rows.iter().map(|s| f(s) as i64).collect())
        .collect();
    let floats: [fn(&SourceScore) -> f64; 6] = [
        |s| s.support,
        |s| s.against,
        |s| s.evidence,
        |s| s.reliability,
        |s| s.ci_low,
        |s| s.ci_high,
    ];
    let floats: Vec<Vec<f64>> = floats
        .iter()
        .map(|f| rows.iter().map(|s| round6(f(s))).collect())
        .collect();
    let ranks: Vec<i32> = rows.iter().map(|s| s.rank as i32).collect();
    let mut columns = vec![Values::Text(&names)];
    columns.extend(counts.iter().map(|v| Values::Count(v)));
    columns.extend(floats.iter().map(|v| Values::Score(v)));
    columns.push(Values::Small(&ranks));
    let mut w = file_writer(Vec::new(), SOURCES_SCHEMA, FILE)?;
    if !rows.is_empty() {
        write_row_group(&mut w, &columns, FILE)?;
    }
    w.into_inner().map_err(parquet_error(FILE))
}

/// The number of text columns of `claims.parquet` (all but `p_correct`).
const CLAIM_TEXTS: usize = 7;

/// Appends one claim, encoded for [`ClaimsParquet::push_block`]: each text column as a little-endian
/// 64-bit length and its bytes, then `p_correct` as a little-endian double (already rounded).
fn push_encoded(buf: &mut Vec<u8>, texts: [&str; CLAIM_TEXTS], p_correct: f64) {
    for t in texts {
        buf.extend_from_slice(&(t.len() as u64).to_le_bytes());
        buf.extend_from_slice(t.as_bytes());
    }
    buf.extend_from_slice(&round6(p_correct).to_le_bytes());
}

/// Appends one claims.parquet row, encoded: the claim's own id, source and story text, then its scores, as
/// `claims.csv` has them.
pub(crate) fn push_claim_record(buf: &mut Vec<u8>, row: &Row<'_>, mention: Mention, s: &ClaimScore, corpus: &Corpus) {
    push_encoded(
        buf,
        [
            row.text(0).unwrap_or_default(),
            row.text(1).unwrap_or_default(),
            row.text(3).unwrap_or_default(),
            mention.stance.as_str(),
            s.role.as_str(),
            corpus.sources.name(s.credited_to),
            s.verdict.as_str(),
        ],
        s.p_correct,
    );
}

/// A streaming `claims.parquet` writer: takes blocks of rows encoded by `push_claim_record`, in input
/// order, and writes a row group each time [`CLAIMS_ROW_GROUP`] rows are buffered.
pub struct ClaimsParquet<W: Write + Send> {
    file: SerializedFileWriter<W>,
    /// The buffered rows' text columns; each value is a slice of the block it came in.
    texts: [Vec<ByteArray>; CLAIM_TEXTS],
    p_correct: Vec<f64>,
}

const CLAIMS_FILE: &str = "claims.parquet";

impl<W: Write + Send> ClaimsParquet<W> {
    /// Starts the file.
    ///
    /// # Errors
    /// `out` cannot be written.
    pub fn new(out: W) -> Result<Self> {
        Ok(ClaimsParquet {
            file: file_writer(out, CLAIMS_SCHEMA, CLAIMS_FILE)?,
            texts: Default::default(),
            p_correct: Vec::new(),
        })
    }

    /// Adds a block of rows encoded by [`push_claim_record`].
    ///
    /// # Errors
    /// A full row group cannot be written.
    pub(crate) fn push_block(&mut self, encoded: &[u8]) -> Result<()> {
        // One copy of the block; every text value is then a reference-counted slice of it.
        let block = bytes::Bytes::copy_from_slice(encoded);
        let mut at = 0;
        let word = |at: &mut usize| -> [u8; 8] {
            let w = block[*at..*at + 8].try_into().expect("encoded as 8 bytes");
            *at += 8;
            w
        };
        while at < block.len() {
            for column in &mut self.texts {
                let len = u64::from_le_bytes(word(&mut at)) as usize;
                column.push(ByteArray::from(block.slice(at..at + len)));
                at += len;
            }
            self.p_correct.push(f64::from_le_bytes(word(&mut at)));
            if self.p_correct.len() == CLAIMS_ROW_GROUP {
                self.flush()?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if !self.p_correct.is_empty() {
            let mut columns: Vec<Values<'_>> = self.texts.iter().map(|v| Values::Text(v)).collect();
            columns.push(Values::Score(&self.p_correct));
            write_row_group(&mut self.file, &columns, CLAIMS_FILE)?;
            self.texts.iter_mut().for_each(Vec::clear);
            self.p_correct.clear();
        }
        Ok(())
    }

    /// Writes the last row group and the footer.
    ///
    /// # Errors
    /// `out` cannot be written.
    pub fn finish(mut self) -> Result<()> {
        self.flush()?;
        let mut out = self.file.into_inner().map_err(parquet_error(CLAIMS_FILE))?;
        out.flush().map_err(|source| Error::Io {
            path: PathBuf::from(CLAIMS_FILE),
            source,
        })
    }
}

/// Writes `claims.parquet` by reading the claims file a second time, as `write_claims_csv` writes
/// `claims.csv`.
///
/// # Errors
/// The claims input cannot be read again, or `out` cannot be written.
pub fn write_claims_parquet(loaded: &Loaded, scores: &Scores, out: &mut (dyn Write + Send)) -> Result<()> {
    let corpus = &loaded.corpus;
    let mut w = ClaimsParquet::new(out)?;
    loaded.replay.for_each_block(
        |buf, m, row| push_claim_record(buf, row, corpus.mentions.get(m), &scores.claim(corpus, m), corpus),
        |bytes| w.push_block(bytes),
    )?;
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    /// Rows written across several row groups come back in order, with the row groups cut every
    /// [`CLAIMS_ROW_GROUP`] rows whatever the blocks were.
    #[test]
    fn claims_are_cut_into_row_groups_by_count_not_by_block() {
        let n = CLAIMS_ROW_GROUP + 5;
        let write = |block_rows: usize| {
            let mut out = Vec::new();
            let mut w = ClaimsParquet::new(&mut out).unwrap();
            let mut buf = Vec::new();
            for i in 0..n {
                let id = i.to_string();
                push_encoded(
                    &mut buf,
                    [&id, "Wire", "s", "asserts", "original", "Wire", "unanswered"],
                    i as f64 / n as f64,
                );
                if (i + 1) % block_rows == 0 {
                    w.push_block(&buf).unwrap();
                    buf.clear();
                }
            }
            w.push_block(&buf).unwrap();
            w.finish().unwrap();
            out
        };
        let a = write(1000);
        assert_eq!(a, write(CLAIMS_ROW_GROUP + 5), "block size changed the bytes");
        let reader = SerializedFileReader::new(bytes::Bytes::from(a)).unwrap();
        let groups: Vec<i64> = reader.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
        assert_eq!(groups, vec![CLAIMS_ROW_GROUP as i64, 5]);
        for (i, row) in reader.get_row_iter(None).unwrap().enumerate() {
            let row = row.unwrap();
            let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
            assert_eq!(fields[0], &Field::Str(i.to_string()));
            assert_eq!(fields[7], &Field::Double(round6(i as f64 / n as f64)));
        }
    }

    #[test]
    fn the_file_names_its_writer_and_no_time() {
        let mut out = Vec::new();
        ClaimsParquet::new(&mut out).unwrap().finish().unwrap();
        let reader = SerializedFileReader::new(bytes::Bytes::from(out)).unwrap();
        let meta = reader.metadata().file_metadata();
        assert_eq!(meta.num_rows(), 0);
        assert!(meta.created_by().unwrap().starts_with("parquet-rs version"));
        assert!(meta.key_value_metadata().is_none());
    }
}
