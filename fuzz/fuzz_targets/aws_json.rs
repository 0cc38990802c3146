#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::api_requests::aws_json(data));
