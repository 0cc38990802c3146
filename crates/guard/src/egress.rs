//! The egress policy (`--egress-allow`): filled in by the egress work of issue 13.
