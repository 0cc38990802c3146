#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::alb_request::run(data));
