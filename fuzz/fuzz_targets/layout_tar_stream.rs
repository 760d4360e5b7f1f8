#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ocikit_fuzz::targets::layout_tar_stream(data));
