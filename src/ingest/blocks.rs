//! Cutting an input stream into blocks of whole CSV records, so blocks can be parsed in parallel.
//!
//! A block ends at a line break outside quotes. Whether a line break is inside quotes is decided by the
//! parity of the *structural* quotes before it: a quote counts when it touches a delimiter, a line break,
//! another quote or an end of the block, which is how every quote of an RFC 4180 file sits, while a stray
//! quote inside an unquoted field (`5" screen`) is skipped, as the CSV parser itself reads it literally.
//! A single record longer than a block makes the block grow until the record ends.
//!
//! Blocks are cut the same way on every read of the same bytes, so a second pass sees the same blocks.

use std::io::{self, Read};

/// Reads a stream as a sequence of blocks of whole records.
pub struct BlockReader<R> {
    inner: R,
    target: usize,
    carry: Vec<u8>,
    eof: bool,
}

/// Whether the quote at `i` of `buf` is structural (see the module docs).
fn structural(buf: &[u8], i: usize) -> bool {
    let edge = |b: u8| matches!(b, b',' | b'\n' | b'\r' | b'"');
    i == 0 || i + 1 == buf.len() || edge(buf[i - 1]) || edge(buf[i + 1])
}

/// The number of structural quotes in `buf[from..to]`.
fn quotes(buf: &[u8], from: usize, to: usize) -> usize {
    memchr::memchr_iter(b'"', &buf[from..to])
        .filter(|&k| structural(buf, from + k))
        .count()
}

/// The end (one past the line break) of the last whole record in `buf`, if any.
pub fn last_record_end(buf: &[u8]) -> Option<usize> {
    let mut pos = memchr::memrchr(b'\n', buf)?;
    if memchr::memchr(b'"', buf).is_none() {
        return Some(pos + 1);
    }
    let mut parity = quotes(buf, 0, pos) % 2;
    loop {
        if parity == 0 {
            return Some(pos + 1);
        }
        let prev = memchr::memrchr(b'\n', &buf[..pos])?;
        parity = (parity + quotes(buf, prev, pos)) % 2;
        pos = prev;
    }
}

impl<R: Read> BlockReader<R> {
    /// A reader cutting blocks of about `target` bytes (at least 1 KiB).
    pub fn new(inner: R, target: usize) -> Self {
        BlockReader {
            inner,
            target: target.max(1024),
            carry: Vec::new(),
            eof: false,
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
            if let Some(end) = last_record_end(&buf) {
                self.carry = buf[end..].to_vec();
                buf.truncate(end);
                return Ok(Some(buf));
            }
            // One record is longer than the block: read on.
            want = buf.len() * 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str, target: usize) -> Vec<String> {
        let mut r = BlockReader::new(text.as_bytes(), target);
        let mut out = vec![];
        while let Some(b) = r.next_block().unwrap() {
            out.push(String::from_utf8(b).unwrap());
        }
        out
    }

    #[test]
    fn blocks_end_at_line_breaks_outside_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,\"d\ne\"\nf,g"), Some(12));
        assert_eq!(last_record_end(b"a,b\nc,\"d\ne"), Some(4));
        assert_eq!(last_record_end(b"a,\"x\"\"\ny\"\n"), Some(10));
        // A stray quote inside an unquoted field does not open a quoted field.
        assert_eq!(last_record_end(b"1,5\" screen,x\n2,y\n"), Some(18));
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
            }
        }
    }

    #[test]
    fn a_record_longer_than_a_block_grows_the_block() {
        let long = format!("1,\"{}\"\n2,x\n", "y\n".repeat(5000));
        let bs = blocks(&long, 1024);
        assert_eq!(bs.concat(), long);
        assert!(bs[0].len() > 10_000);
    }
}
