//! Ids as Notion writes them (dashed lowercase UUIDs, read with or without
//! dashes) and the ids the sandbox derives or draws.

/// Parses an id with or without dashes (any case) into its 128 bits.
pub(crate) fn parse_id(s: &str) -> Option<u128> {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    let dashed_ok = s.len() == 32 || (s.len() == 36 && dash_positions_ok(s));
    if hex.len() != 32 || !dashed_ok || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

fn dash_positions_ok(s: &str) -> bool {
    s.char_indices()
        .all(|(i, c)| (c == '-') == matches!(i, 8 | 13 | 18 | 23))
}

/// Formats 128 bits as a dashed lowercase UUID.
pub(crate) fn format_id(v: u128) -> String {
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The dashed lowercase form of an id, if it is one.
pub fn normalize_id(s: &str) -> Option<String> {
    parse_id(s).map(format_id)
}

/// FNV-1a over several parts, keyed by a seed: deterministic ids and orders.
pub(crate) fn fnv(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for p in parts {
        for b in *p {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // final avalanche so that nearby inputs give unrelated outputs
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// A deterministic UUID (version 4 layout) from a seed and a label.
pub(crate) fn derived_uuid(seed: u64, label: &str) -> String {
    let hi = fnv(seed, &[label.as_bytes(), b"hi"]);
    let lo = fnv(seed, &[label.as_bytes(), b"lo"]);
    uuid_from_bits((u128::from(hi) << 64) | u128::from(lo))
}

pub(crate) fn uuid_from_bits(v: u128) -> String {
    // version 4 and RFC 4122 variant, so the ids look like real UUIDs
    let v = (v & !(0xf << 76)) | (0x4 << 76);
    let v = (v & !(0x3 << 62)) | (0x2 << 62);
    format_id(v)
}
