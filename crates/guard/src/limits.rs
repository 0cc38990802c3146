//! Connection limits and timeouts: filled in by the resource-limits work of issue 13.
