//! decode → encode → decode: an accepted payload re-encodes byte for byte, and re-encoding the
//! owned object tree decodes to the same objects.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::emv::{decode, encode_objects, Object};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(p) = decode(text) else { return };
    assert_eq!(p.encode(), text);
    let objects: Vec<Object> = p.objects().iter().map(Object::from_decoded).collect();
    let again = encode_objects(&objects).expect("decoded objects re-encode");
    assert_eq!(again, text);
    let q = decode(&again).expect("re-encoded payload decodes");
    assert_eq!(q.objects(), p.objects());
});
