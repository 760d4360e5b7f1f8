//! The tar format, as far as ocikit writes and reads it: POSIX ustar headers, PAX extended
//! headers (`x`, and `g` read and ignored) and, when reading, GNU long names (`L`, `K`) and
//! base-256 numbers.
//!
//! Written by hand rather than with the `tar` crate so that every byte is fixed here (the crate's
//! builder writes GNU long names, not PAX) and so that reading is bounded: an extended header is
//! refused past [`EXTENSION_MAX`] bytes instead of being read into memory whatever its size.

use crate::Error;

/// A tar block.
pub(crate) const BLOCK: usize = 512;
/// The most bytes a PAX extended header or a GNU long name may have when reading.
pub(crate) const EXTENSION_MAX: u64 = 64 * 1024;
/// The largest number an 11-digit octal field holds (sizes and mtimes up to 8 GiB − 1 and year
/// 2242); larger values go in a PAX record.
pub(crate) const OCTAL_11_MAX: u64 = 0o777_7777_7777;

/// Entry type flags (POSIX.1-2001 `typeflag`).
pub(crate) mod flag {
    pub(crate) const REGULAR: u8 = b'0';
    pub(crate) const REGULAR_OLD: u8 = 0;
    pub(crate) const HARD_LINK: u8 = b'1';
    pub(crate) const SYMLINK: u8 = b'2';
    pub(crate) const CHAR_DEVICE: u8 = b'3';
    pub(crate) const BLOCK_DEVICE: u8 = b'4';
    pub(crate) const DIRECTORY: u8 = b'5';
    pub(crate) const FIFO: u8 = b'6';
    pub(crate) const CONTIGUOUS: u8 = b'7';
    pub(crate) const PAX_LOCAL: u8 = b'x';
    pub(crate) const PAX_GLOBAL: u8 = b'g';
    pub(crate) const GNU_LONG_NAME: u8 = b'L';
    pub(crate) const GNU_LONG_LINK: u8 = b'K';
}

/// One header as ocikit writes it. A PAX header before it has mode 0644 and mtime 0 (as
/// Python's `tarfile` writes one).
#[derive(Debug)]
pub(crate) struct HeaderFields<'a> {
    pub(crate) path: &'a str,
    pub(crate) typeflag: u8,
    pub(crate) mode: u32,
    pub(crate) size: u64,
    pub(crate) mtime: u64,
    pub(crate) link: &'a str,
}

/// The bytes of one entry's header: a PAX extended header first when the path, the link
/// target, the size or the mtime do not fit ustar's fields (or are not ASCII: ustar's fields
/// hold the portable character set, a PAX `path` is UTF-8 by definition), then the ustar header.
pub(crate) fn encode_header(fields: &HeaderFields<'_>) -> Vec<u8> {
    let mut records = Vec::new();
    let split = split_ustar_path(fields.path);
    if split.is_none() {
        pax_record(&mut records, "path", fields.path);
    }
    let link_fits = fields.link.is_ascii() && fields.link.len() <= 100;
    if !link_fits {
        pax_record(&mut records, "linkpath", fields.link);
    }
    if fields.size > OCTAL_11_MAX {
        pax_record(&mut records, "size", &fields.size.to_string());
    }
    if fields.mtime > OCTAL_11_MAX {
        pax_record(&mut records, "mtime", &fields.mtime.to_string());
    }
    let mut out = Vec::with_capacity(3 * BLOCK);
    if !records.is_empty() {
        let pax = ustar_block(
            ("", "././@PaxHeader"),
            flag::PAX_LOCAL,
            0o644,
            records.len() as u64,
            0,
            "",
        );
        out.extend_from_slice(&pax);
        out.extend_from_slice(&records);
        out.resize(out.len().next_multiple_of(BLOCK), 0);
    }
    let (prefix, name) = split.unwrap_or(("", truncate(fields.path, 100)));
    out.extend_from_slice(&ustar_block(
        (prefix, name),
        fields.typeflag,
        fields.mode,
        if fields.size > OCTAL_11_MAX {
            0
        } else {
            fields.size
        },
        fields.mtime.min(OCTAL_11_MAX),
        if link_fits {
            fields.link
        } else {
            truncate(fields.link, 100)
        },
    ));
    out
}

/// `path` as ustar's (prefix, name): the name alone when it fits 100 bytes, else split at a
/// `/` into a prefix of at most 155 bytes and a name of at most 100. `None` when neither fits
/// or the path is not ASCII.
fn split_ustar_path(path: &str) -> Option<(&str, &str)> {
    if !path.is_ascii() {
        return None;
    }
    if path.len() <= 100 {
        return Some(("", path));
    }
    // The split point nearest the end that leaves a name of at most 100 bytes (a trailing '/'
    // of a directory stays in the name).
    let body = path.strip_suffix('/').unwrap_or(path);
    for (i, _) in body.match_indices('/').rev() {
        let (prefix, name) = (&path[..i], &path[i + 1..]);
        if name.len() > 100 {
            return None;
        }
        if prefix.len() <= 155 && !name.is_empty() {
            return Some((prefix, name));
        }
    }
    None
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Appends one PAX record, `"<length> <key>=<value>\n"`, where the length counts itself.
fn pax_record(out: &mut Vec<u8>, key: &str, value: &str) {
    let body = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut length = body + 1;
    while length != body + length.to_string().len() {
        length = body + length.to_string().len();
    }
    out.extend_from_slice(format!("{length} {key}={value}\n").as_bytes());
}

/// One ustar header block, uid/gid 0, no user or group names, device numbers 0.
fn ustar_block(
    (prefix, name): (&str, &str),
    typeflag: u8,
    mode: u32,
    size: u64,
    mtime: u64,
    link: &str,
) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    put(&mut block[0..100], name.as_bytes());
    octal(&mut block[100..108], u64::from(mode));
    octal(&mut block[108..116], 0);
    octal(&mut block[116..124], 0);
    octal(&mut block[124..136], size);
    octal(&mut block[136..148], mtime);
    block[156] = typeflag;
    put(&mut block[157..257], link.as_bytes());
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    octal(&mut block[329..337], 0);
    octal(&mut block[337..345], 0);
    put(&mut block[345..500], prefix.as_bytes());
    // The checksum is computed with its own field as eight spaces, then written as six octal
    // digits, a NUL and a space (what POSIX, GNU tar and Go write).
    block[148..156].copy_from_slice(b"        ");
    let sum: u64 = block.iter().map(|&b| u64::from(b)).sum();
    let digits = format!("{sum:06o}");
    block[148..154].copy_from_slice(&digits.as_bytes()[digits.len() - 6..]);
    block[154] = 0;
    block[155] = b' ';
    block
}

fn put(field: &mut [u8], bytes: &[u8]) {
    let n = bytes.len().min(field.len());
    field[..n].copy_from_slice(&bytes[..n]);
}

/// Zero-padded octal filling the field but its last byte, which is NUL.
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let text = format!("{value:0width$o}");
    put(field, &text.as_bytes()[text.len().saturating_sub(width)..]);
    field[width] = 0;
}

/// A header as read, before extended headers are applied.
#[derive(Debug)]
pub(crate) struct RawHeader {
    pub(crate) name: Vec<u8>,
    pub(crate) link: Vec<u8>,
    pub(crate) typeflag: u8,
    pub(crate) mode: u64,
    pub(crate) size: u64,
}

/// Whether a block is all zeros (an end-of-archive marker).
pub(crate) fn is_zero_block(block: &[u8]) -> bool {
    block.iter().all(|&b| b == 0)
}

/// Parses one header block.
///
/// # Errors
/// [`Error::ArchiveInvalid`] for a wrong checksum or a number field that is not a number.
pub(crate) fn decode_header(block: &[u8; BLOCK]) -> Result<RawHeader, Error> {
    let stored = number(&block[148..156], "checksum")?;
    let unsigned: u64 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    // Some old writers summed signed bytes; both are accepted, as GNU tar and Go do.
    let signed: i64 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                i64::from(b as i8)
            }
        })
        .sum();
    if stored != unsigned && i64::try_from(stored).ok() != Some(signed) {
        return Err(invalid(
            "a header's checksum does not match (not a tar archive, or a corrupt one)",
        ));
    }
    let posix = &block[257..263] == b"ustar\0";
    let mut name = cstr(&block[0..100]).to_vec();
    if posix {
        let prefix = cstr(&block[345..500]);
        if !prefix.is_empty() {
            let mut full = prefix.to_vec();
            full.push(b'/');
            full.extend_from_slice(&name);
            name = full;
        }
    }
    Ok(RawHeader {
        name,
        link: cstr(&block[157..257]).to_vec(),
        typeflag: block[156],
        mode: number(&block[100..108], "mode")?,
        size: number(&block[124..136], "size")?,
    })
}

/// A field up to its first NUL.
fn cstr(field: &[u8]) -> &[u8] {
    match field.iter().position(|&b| b == 0) {
        Some(end) => &field[..end],
        None => field,
    }
}

/// A numeric field: octal digits between optional spaces and NULs, or GNU base-256 (the
/// first byte's high bit set).
fn number(field: &[u8], what: &str) -> Result<u64, Error> {
    if let Some((&first, rest)) = field.split_first()
        && first & 0x80 != 0
    {
        if first & 0x40 != 0 {
            return Err(invalid(&format!("a header's {what} is negative")));
        }
        let mut value = u64::from(first & 0x3f);
        for &b in rest {
            value = value
                .checked_mul(256)
                .map(|v| v | u64::from(b))
                .ok_or_else(|| invalid(&format!("a header's {what} is too large")))?;
        }
        return Ok(value);
    }
    let text = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ' || b == 0)
        .take_while(|&b| b != b' ' && b != 0);
    let mut value: u64 = 0;
    for b in text {
        if !(b'0'..=b'7').contains(&b) {
            return Err(invalid(&format!(
                "a header's {what} is not an octal number"
            )));
        }
        value = value
            .checked_mul(8)
            .map(|v| v + u64::from(b - b'0'))
            .ok_or_else(|| invalid(&format!("a header's {what} is too large")))?;
    }
    Ok(value)
}

/// The records of a PAX extended header that ocikit uses: `path`, `linkpath`, `size`.
#[derive(Debug, Default)]
pub(crate) struct PaxRecords {
    pub(crate) path: Option<Vec<u8>>,
    pub(crate) linkpath: Option<Vec<u8>>,
    pub(crate) size: Option<u64>,
}

/// Parses PAX records (`"<length> <key>=<value>\n"` each).
///
/// # Errors
/// [`Error::ArchiveInvalid`] for a malformed record; [`Error::ArchiveUnsafe`] for a sparse
/// file (`GNU.sparse.*`), which ocikit does not unpack.
pub(crate) fn parse_pax(mut data: &[u8]) -> Result<PaxRecords, Error> {
    let mut records = PaxRecords::default();
    // Trailing NULs pad some writers' headers.
    while let Some((&0, rest)) = data.split_last() {
        data = rest;
    }
    while !data.is_empty() {
        let space = data
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| invalid("a PAX record has no length"))?;
        let length: usize = std::str::from_utf8(&data[..space])
            .ok()
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| invalid("a PAX record's length is not a number"))?;
        if length <= space + 1 || length > data.len() || data[length - 1] != b'\n' {
            return Err(invalid("a PAX record's length does not match the record"));
        }
        let record = &data[space + 1..length - 1];
        let eq = record
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| invalid("a PAX record has no '='"))?;
        let (key, value) = (&record[..eq], &record[eq + 1..]);
        match key {
            b"path" => records.path = Some(value.to_vec()),
            b"linkpath" => records.linkpath = Some(value.to_vec()),
            b"size" => {
                let size = std::str::from_utf8(value)
                    .ok()
                    .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| invalid("a PAX size is not a number"))?;
                records.size = Some(size);
            }
            _ if key.starts_with(b"GNU.sparse.") => {
                return Err(Error::ArchiveUnsafe {
                    path: String::new(),
                    reason: "a sparse file (GNU.sparse PAX records), which ocikit does not unpack"
                        .to_owned(),
                });
            }
            _ => {}
        }
        data = &data[length..];
    }
    Ok(records)
}

fn invalid(reason: &str) -> Error {
    Error::ArchiveInvalid {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_record_lengths_count_themselves() {
        let mut out = Vec::new();
        pax_record(&mut out, "path", &"a".repeat(93));
        // 93 + "path" 4 + the space, "=" and newline = 100, plus the 3 digits of "103".
        assert!(out.starts_with(b"103 path="));
        assert_eq!(out.len(), 103);
        let mut out = Vec::new();
        pax_record(&mut out, "path", "x");
        assert_eq!(out, b"9 path=x\n");
    }

    #[test]
    fn headers_round_trip() {
        let long = format!("{}/{}", "d".repeat(150), "f".repeat(99));
        for path in ["a.txt", "dir/", long.as_str()] {
            let bytes = encode_header(&HeaderFields {
                path,
                typeflag: flag::REGULAR,
                mode: 0o644,
                size: 5,
                mtime: 0,
                link: "",
            });
            assert_eq!(bytes.len(), BLOCK, "{path}");
            let block: &[u8; BLOCK] = bytes[..BLOCK].try_into().expect("block");
            let header = decode_header(block).expect("decodes");
            assert_eq!(header.name, path.as_bytes());
            assert_eq!(header.size, 5);
            assert_eq!(header.mode, 0o644);
        }
        let unicode = encode_header(&HeaderFields {
            path: "é",
            typeflag: flag::REGULAR,
            mode: 0o644,
            size: 0,
            mtime: 0,
            link: "",
        });
        assert_eq!(
            unicode.len(),
            3 * BLOCK,
            "PAX header, its records, the ustar header"
        );
        let records = parse_pax(&unicode[BLOCK..2 * BLOCK]).expect("records");
        assert_eq!(records.path.as_deref(), Some("é".as_bytes()));
    }

    #[test]
    fn numbers_in_every_spelling() {
        assert_eq!(number(b"0000644\0", "mode").ok(), Some(0o644));
        assert_eq!(number(b"   644 \0", "mode").ok(), Some(0o644));
        assert_eq!(number(&[0x80, 0, 0, 0, 0, 0, 1, 0], "size").ok(), Some(256));
        assert!(number(b"00009\0\0\0", "mode").is_err());
        assert!(number(&[0xff; 12], "size").is_err());
        assert!(
            number(
                &[
                    0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
                ],
                "size"
            )
            .is_err()
        );
    }
}
