#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::sigv4::run(data));
