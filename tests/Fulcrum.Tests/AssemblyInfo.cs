// These tests start real processes and time reloads and drains; on a 2-core machine they are
// dependable only one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
