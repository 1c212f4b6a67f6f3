//! A tiny baseline JPEG encoder for CMYK test images, since the `image` crate encodes only
//! grey and RGB JPEGs. Every 8 × 8 block is one flat colour, so each block is a DC coefficient
//! and an end-of-block code; the quantisation table is all ones, so the colours come back
//! exactly. With `adobe`, the file carries Adobe's APP14 segment (transform 0, CMYK) and the
//! inks are stored inverted, as Photoshop writes them; without it, as they are.
//!
//! Shared by the unit tests of `src/cover` (through `#[path]`) and the integration tests.

/// Encodes a `width` × `height` CMYK JPEG whose 8 × 8 block at (`bx`, `by`) has the ink amounts
/// `ink(bx, by)` (0 = no ink, 255 = full ink), in the order cyan, magenta, yellow, black.
pub fn encode(width: u16, height: u16, adobe: bool, ink: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    if adobe {
        // APP14 "Adobe": version 100, no flags, transform 0 (CMYK, no colour transform).
        out.extend([0xFF, 0xEE, 0x00, 0x0E]);
        out.extend(b"Adobe");
        out.extend([0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00]);
    }
    // One quantisation table of ones.
    out.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
    out.extend([1u8; 64]);
    // Baseline frame: 8 bits, four components, no subsampling, table 0.
    out.extend([0xFF, 0xC0, 0x00, 0x14, 0x08]);
    out.extend(height.to_be_bytes());
    out.extend(width.to_be_bytes());
    out.push(4);
    for id in 1..=4 {
        out.extend([id, 0x11, 0x00]);
    }
    // Huffman tables: the standard luminance DC table, and an AC table holding only EOB.
    let dc_bits: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    let dc_values: Vec<u8> = (0..12).collect();
    out.extend([0xFF, 0xC4, 0x00, 0x1F, 0x00]);
    out.extend(dc_bits);
    out.extend(&dc_values);
    let mut ac_bits = [0u8; 16];
    ac_bits[0] = 1;
    out.extend([0xFF, 0xC4, 0x00, 0x14, 0x10]);
    out.extend(ac_bits);
    out.push(0x00);
    let dc_codes = canonical_codes(&dc_bits);
    // Start of scan: all four components, DC and AC table 0, the whole spectrum.
    out.extend([0xFF, 0xDA, 0x00, 0x0E, 0x04]);
    for id in 1..=4 {
        out.extend([id, 0x00]);
    }
    out.extend([0x00, 0x3F, 0x00]);

    let mut bits = BitWriter::default();
    let mut previous = [0i32; 4];
    let (blocks_x, blocks_y) = (u32::from(width).div_ceil(8), u32::from(height).div_ceil(8));
    for by in 0..blocks_y {
        for bx in 0..blocks_x {
            let inks = ink(bx, by);
            for (c, &amount) in inks.iter().enumerate() {
                let stored = if adobe { 255 - amount } else { amount };
                // A flat block's DC coefficient is 8 × (sample − 128).
                let dc = 8 * (i32::from(stored) - 128);
                let diff = dc - previous[c];
                previous[c] = dc;
                let category = (32 - diff.unsigned_abs().leading_zeros()) as u8;
                let (code, length) = dc_codes[usize::from(category)];
                bits.put(code, length);
                if category > 0 {
                    let value = if diff < 0 {
                        diff + (1 << category) - 1
                    } else {
                        diff
                    };
                    bits.put(value as u32, category);
                }
                // End of block: AC table 0's only code, a single 0 bit.
                bits.put(0, 1);
            }
        }
    }
    out.extend(bits.finish());
    out.extend([0xFF, 0xD9]);
    out
}

/// The (code, length) of each symbol of a Huffman table given by its counts per length, in
/// symbol order (JPEG's canonical assignment, Annex C).
fn canonical_codes(bits: &[u8; 16]) -> Vec<(u32, u8)> {
    let mut codes = Vec::new();
    let mut code = 0u32;
    for (i, &count) in bits.iter().enumerate() {
        for _ in 0..count {
            codes.push((code, i as u8 + 1));
            code += 1;
        }
        code <<= 1;
    }
    codes
}

/// Entropy-coded bits, most significant first, with 0xFF bytes stuffed.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u32,
    count: u8,
}

impl BitWriter {
    fn put(&mut self, value: u32, length: u8) {
        for i in (0..length).rev() {
            self.acc = (self.acc << 1) | ((value >> i) & 1);
            self.count += 1;
            if self.count == 8 {
                self.push_byte();
            }
        }
    }

    fn push_byte(&mut self) {
        let byte = self.acc as u8;
        self.bytes.push(byte);
        if byte == 0xFF {
            self.bytes.push(0x00);
        }
        self.acc = 0;
        self.count = 0;
    }

    fn finish(mut self) -> Vec<u8> {
        while self.count != 0 {
            self.put(1, 1);
        }
        self.bytes
    }
}
