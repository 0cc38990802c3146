#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::reach_question::run(data));
