//! Cutting an input stream into blocks of whole CSV records, so blocks can be parsed in parallel.
//!
//! A block ends where a record ends. In a block with no quote that is its last line break; in a block
//! with quotes it is found by the CSV parser's own state machine, so a line break inside a quoted field,
//! or a stray quote that the parser reads literally, never misleads the cut ([`last_record_end`]). A single
//! record longer than a block makes the block grow until the record ends.
//!
//! Blocks are cut the same way on every read of the same bytes, so a second pass sees the same blocks.

use std::io::{self, Read};

/// Reads a stream as a sequence of blocks of whole records.
pub struct BlockReader<R> {
    inner: R,
    target: usize,
    carry: Vec<u8>,
    eof: bool,
    lines: bool,
    /// Bytes handed out in earlier blocks (where the next record starts).
    offset: u64,
    /// The longest record accepted, [`MAX_RECORD`] unless a test lowers it.
    max_record: usize,
}

/// The longest record a block may hold. A longer one is nearly always an unclosed quote that has swallowed
/// the rest of the file; refusing it bounds memory at a few times this size, whatever the input.
pub const MAX_RECORD: usize = 256 << 20;

/// The number of line breaks in `bytes`: each `\n`, and each `\r` not followed by `\n` (the csv crate
/// ends a record at either, so every record starts on a line of its own).
pub fn line_breaks(bytes: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    let bare_cr = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .count();
    (lf + bare_cr) as u64
}

/// The end of the last whole record in `buf`, if any: one past its terminator (past the `\n` of a
/// `\r\n`).
///
/// Without a quote in `buf`, that is the last `\n`. With quotes, whether a line break ends a record or
/// sits inside a quoted field depends on everything before it, so the block is run through the csv
/// crate's own state machine (csv-core, the reader every parse here uses): the cut is exact for any input,
/// stray quotes and all, at the cost of one sequential scan of the blocks that hold quotes.
pub fn last_record_end(buf: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', buf).is_none() {
        return memchr::memrchr(b'\n', buf).map(|p| p + 1);
    }
    let mut rdr = csv_core::Reader::new();
    let mut out = vec![0u8; 1 << 16];
    let mut ends = vec![0usize; 1024];
    let mut pos = 0;
    let mut last = None;
    loop {
        let (res, nin, _, _) = rdr.read_record(&buf[pos..], &mut out, &mut ends);
        pos += nin;
        match res {
            csv_core::ReadRecordResult::Record => {
                let mut end = pos;
                if end > 0 && buf[end - 1] == b'\r' && buf.get(end) == Some(&b'\n') {
                    end += 1;
                }
                // A record ended by the end of `buf` without a terminator is not known to be whole, nor one
                // ended by a CR that is the last byte read (its LF may come next).
                let cr_at_end = end == buf.len() && buf[end - 1] == b'\r';
                if end > 0 && matches!(buf[end - 1], b'\n' | b'\r') && !cr_at_end {
                    last = Some(end);
                }
            }
            csv_core::ReadRecordResult::OutputFull => {
                let n = out.len() * 2;
                out.resize(n, 0);
            }
            csv_core::ReadRecordResult::OutputEndsFull => {
                let n = ends.len() * 2;
                ends.resize(n, 0);
            }
            csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => return last,
        }
        if pos >= buf.len() {
            return last;
        }
    }
}

/// Whether `record`, one record's bytes running to the end of the input, leaves a quoted field open: the
/// csv crate's parser, given the record and a line break, still wants more input to end it. (At the end
/// of the input the parser ends an open field silently, so this is asked of the last record only.)
pub fn opens_unclosed_quote(record: &[u8]) -> bool {
    if memchr::memchr(b'"', record).is_none() {
        return false;
    }
    let input = [record, b"\n"].concat();
    // Buffers the size of the input hold any record it has, so one call either ends the record or asks
    // for more input.
    let mut out = vec![0u8; input.len() + 1];
    let mut ends = vec![0usize; input.len() + 1];
    let (res, _, _, _) = csv_core::Reader::new().read_record(&input, &mut out, &mut ends);
    matches!(res, csv_core::ReadRecordResult::InputEmpty)
}

impl<R: Read> BlockReader<R> {
    /// A reader cutting blocks of CSV records of about `target` bytes (at least 1 KiB).
    pub fn new(inner: R, target: usize) -> Self {
        BlockReader {
            inner,
            target: target.max(1024),
            carry: Vec::new(),
            eof: false,
            lines: false,
            offset: 0,
            max_record: MAX_RECORD,
        }
    }

    /// A reader cutting blocks at line ends (JSON Lines, where a line break is always a record's end).
    pub fn lines(inner: R, target: usize) -> Self {
        BlockReader {
            lines: true,
            ..BlockReader::new(inner, target)
        }
    }

    /// The next block, or `None` at the end. The last block holds whatever remains, ended by a line
    /// break or not.
    ///
    /// # Errors
    /// Whatever reading the stream returns.
    pub fn next_block(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut buf = std::mem::take(&mut self.carry);
        let mut want = self.target;
        loop {
            while !self.eof && buf.len() < want {
                // `take` + `read_to_end` reads into spare capacity without zeroing it first.
                let need = (want - buf.len()) as u64;
                buf.reserve(want - buf.len());
                let n = (&mut self.inner).take(need).read_to_end(&mut buf)?;
                if n == 0 {
                    self.eof = true;
                }
            }
            if self.eof {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            let end = if self.lines {
                memchr::memrchr(b'\n', &buf).map(|k| k + 1)
            } else {
                last_record_end(&buf)
            };
            if let Some(end) = end {
                self.carry = buf[end..].to_vec();
                buf.truncate(end);
                self.offset += end as u64;
                return Ok(Some(buf));
            }
            // One record is longer than the block: read on, up to a bound.
            if buf.len() > self.max_record {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "the record starting at byte {} is longer than {} MiB (an unclosed quote?)",
                        self.offset,
                        self.max_record >> 20
                    ),
                ));
            }
            want = (buf.len() * 2).min(self.max_record + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A quote that never closes is told from one that does, whatever follows it: line breaks, commas,
    /// doubled quotes, a stray quote inside an unquoted field (read literally), CRLF.
    #[test]
    fn an_unclosed_quote_is_found() {
        for (record, open) in [
            (
                &b"c1,A,2020-01-01,s0,asserts,\"x\nc2,B,2020-01-01,s0,asserts,x\n"[..],
                true,
            ),
            (b"c1,A,\"x,y", true),
            (b"c1,A,\"say \"\"hi\"\"", true),
            (b"c1,A,\"x\ny\"\n", false),
            (b"c1,A,\"x\"", false),
            (b"c1,A,\"say \"\"hi\"\"\"\r\n", false),
            (b"c1,A,ab\"c\n", false),
            (b"c1,A,plain", false),
        ] {
            assert_eq!(
                opens_unclosed_quote(record),
                open,
                "{:?}",
                String::from_utf8_lossy(record)
            );
        }
    }

    fn blocks(text: &str, target: usize) -> Vec<String> {
        let mut r = BlockReader::new(text.as_bytes(), target);
        let mut out = vec![];
        while let Some(b) = r.next_block().unwrap() {
            out.push(String::from_utf8(b).unwrap());
        }
        out
    }

    #[test]
    fn a_record_longer_than_the_bound_is_an_error_naming_its_start() {
        let mut text = b"a,b\n1,2\n3,\"".to_vec();
        text.extend(std::iter::repeat_n(b'x', 3 << 20));
        text.extend_from_slice(b"\"\n4,5\n");
        let mut r = BlockReader::new(&text[..], 1024);
        r.max_record = 2 << 20;
        let mut got = Vec::new();
        let err = loop {
            match r.next_block() {
                Ok(Some(b)) => got.extend(b),
                Ok(None) => panic!("no error"),
                Err(e) => break e,
            }
        };
        assert_eq!(got, b"a,b\n1,2\n");
        assert_eq!(
            err.to_string(),
            "the record starting at byte 8 is longer than 2 MiB (an unclosed quote?)"
        );
        // Below the bound the same record is read whole.
        let mut r = BlockReader::new(&text[..], 1024);
        r.max_record = 4 << 20;
        let mut all = Vec::new();
        while let Some(b) = r.next_block().unwrap() {
            all.extend(b);
        }
        assert_eq!(all, text);
    }

    #[test]
    fn blocks_end_at_line_breaks_outside_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,\"d\ne\"\nf,g"), Some(12));
        assert_eq!(last_record_end(b"a,b\nc,\"d\ne"), Some(4));
        assert_eq!(last_record_end(b"a,\"x\"\"\ny\"\n"), Some(10));
        // A stray quote inside an unquoted field does not open a quoted field.
        assert_eq!(last_record_end(b"1,5\" screen,x\n2,y\n"), Some(18));
        // Nor does one that ends an unquoted field, nor text after a closing quote.
        assert_eq!(last_record_end(b"a,5\"\n\"b\nc\"\nd"), Some(11));
        assert_eq!(last_record_end(b"\"closed\"tail,x\n\"b\nc"), Some(15));
        // A CRLF is not split, even when only its CR has been read.
        assert_eq!(last_record_end(b"\"a\"\r\nb"), Some(5));
        assert_eq!(last_record_end(b"\"a\"\r\n\"b\"\r"), Some(5));
        assert_eq!(last_record_end(b"no line break"), None);
    }

    #[test]
    fn concatenated_blocks_are_the_input_for_any_block_size() {
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&format!("{i},\"multi\nline {i}\",\"q\"\"uote\",plain\r\n"));
        }
        for target in [1, 100, 1024, 5000, 1 << 20] {
            let bs = blocks(&text, target);
            assert_eq!(bs.concat(), text, "target {target}");
            for b in &bs[..bs.len() - 1] {
                assert!(b.ends_with('\n'));
                // Every block holds whole records: an even number of quotes.
                assert_eq!(b.matches('"').count() % 2, 0);
                assert_eq!(last_record_end(b.as_bytes()), Some(b.len()));
            }
        }
    }

    #[test]
    fn line_breaks_count_lf_crlf_and_bare_cr_once_each() {
        assert_eq!(line_breaks(b"a\nb\r\nc\rd"), 3);
        assert_eq!(line_breaks(b"no breaks"), 0);
        assert_eq!(line_breaks(b"\r"), 1);
    }

    #[test]
    fn a_record_longer_than_a_block_grows_the_block() {
        let long = format!("1,\"{}\"\n2,x\n", "y\n".repeat(5000));
        let bs = blocks(&long, 1024);
        assert_eq!(bs.concat(), long);
        assert!(bs[0].len() > 10_000);
    }
}
