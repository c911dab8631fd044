#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| docket_fuzz::loopback_head(data));
