#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::api_requests::rest_xml(data));
