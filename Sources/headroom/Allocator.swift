#if canImport(Glibc)
import Glibc
import HeadroomAnalysis
import HeadroomOutput
import HeadroomCharts
#endif

/// The C allocator's settings for a process that builds and drops simulation engines in a loop.
///
/// A sweep builds an engine per cell and a study one per replication; each engine allocates
/// latency histograms of a few hundred KB, above glibc's default 128 KB mmap threshold, and
/// freed memory at the top of the heap is trimmed back to the system. So every cell mapped fresh
/// pages and faulted them in again (zero-filled): 11,300 page faults and 0.03-0.04 s of system
/// time in the 64-cell bench sweep of bench/run.sh --sweep-only, with the two threads of a
/// 2-thread sweep taking the kernel's memory-map lock for each. Keeping freed memory in the
/// allocator (an mmap threshold of 32 MiB, glibc's largest, and a 128 MiB trim threshold) lets
/// the next cell reuse it: 1,600-1,900 faults, measured with the same settings given as
/// `GLIBC_TUNABLES` (bench/PROFILE.md). Peak memory does not grow: a cell reuses what the
/// previous one freed.
enum Allocator {
    static func keepFreedMemory() {
        #if canImport(Glibc)
        // Swift's Glibc module does not include <malloc.h>: `mallopt` is looked up by name
        // (RTLD_DEFAULT is a null handle in glibc), with its parameters' values from malloc.h.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let mmapThreshold: Int32 = -3, trimThreshold: Int32 = -1  // M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
        _ = mallopt(mmapThreshold, 32 << 20)
        _ = mallopt(trimThreshold, 128 << 20)
        #endif
    }
}
