// ocikit's copy of crc32fast 1.5.6 (see OCIKIT.md): the slicing-by-16 tables are computed
// once, on first use, instead of stored in the binary: 16 KiB less data in the wasm module
// (data a compressor cannot shrink), the same tables and checksums.

/// The slicing-by-16 tables: row 0 is the byte-at-a-time table of the reflected polynomial
/// 0xEDB88320; row k folds a byte k positions further on.
pub const fn compute() -> [[u32; 256]; 16] {
    let mut table = [[0u32; 256]; 16];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            bit += 1;
        }
        table[0][i] = crc;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut row = 1;
        while row < 16 {
            let prev = table[row - 1][i];
            table[row][i] = (prev >> 8) ^ table[0][(prev & 0xff) as usize];
            row += 1;
        }
        i += 1;
    }
    table
}

/// The tables, computed on the first call. (std always: this copy is only built into ocikit's
/// wasm module, which has std; flate2 asks for crc32fast without its `std` feature.)
#[inline]
pub fn crc32_table() -> &'static [[u32; 256]; 16] {
    extern crate std;
    static TABLE: std::sync::OnceLock<[[u32; 256]; 16]> = std::sync::OnceLock::new();
    TABLE.get_or_init(compute)
}
