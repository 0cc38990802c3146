#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::trace_question::run(data));
