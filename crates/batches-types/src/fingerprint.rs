//! The workspace's one fingerprint function.

/// A stable 64-bit fingerprint (FNV-1a) of `bytes`.
///
/// Tokens that outlive a process carry it (the emulator's page tokens, the CLI's starting
/// tokens), so its value for a given input is fixed for good: the same on every platform,
/// in every build and every version. To fingerprint several parts, join them with a
/// separator that cannot occur inside a part, so that different parts never give the same
/// bytes. It is not a cryptographic hash: it tells listings apart, it does not hide or
/// authenticate anything.
///
/// ```
/// assert_eq!(batches_types::fingerprint("status=RUNNING"), 0x3a4a_8a81_754f_eea5);
/// ```
pub fn fingerprint(bytes: impl AsRef<[u8]>) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    bytes.as_ref().iter().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    /// The published FNV-1a test vectors, and a listing as the emulator fingerprints it:
    /// tokens already handed out stay valid only while these hold.
    #[test]
    fn values_are_pinned() {
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fingerprint("foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(
            fingerprint("batches|prj-1|status=RUNNING"),
            0x625a_45ba_887c_b177
        );
        assert_eq!(fingerprint(b"foobar"), fingerprint("foobar"));
    }
}
