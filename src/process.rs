//! Process-wide settings of the `quire` binary, in one place so that the benchmark can apply
//! them too and measure what the binary does.

/// Turns transparent huge pages off for this process (on Linux; elsewhere it does nothing).
///
/// mimalloc asks the kernel for 2 MiB pages for its arenas. quire's heap is mostly small,
/// short-lived objects (about 100 MB live at the peak of the 40× book), and the huge pages made
/// the peak resident set of that build a third larger (160 → 120 MB without them) while the
/// time stayed the same. Call it first in `main`, before the heap grows; a kernel that refuses
/// leaves things as they were.
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and touches no memory of ours.
    unsafe {
        libc::prctl(
            libc::PR_SET_THP_DISABLE,
            1 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        );
    }
}
