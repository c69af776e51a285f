// These tests start Prometheus, chromium and tmux and count traffic exactly; on a 2-core machine they are
// dependable only one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
