//! decode → detect national profiles: no panic, violations point inside the payload, strict
//! detection refuses exactly the payloads with violations, every view agrees with detect, and
//! naming any object by its scheme neither panics nor gives an empty name, and the objects a
//! scheme nests in one (VietQR's 38.01) rebuild its value exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrpay_core::{decode, schemes, Tag};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(payload) = decode(text) else { return };
    let found = schemes::detect(&payload);
    for info in &found {
        for v in &info.violations {
            assert!(
                v.offset <= text.len(),
                "violation offset {} past the end",
                v.offset
            );
            assert!(!v.to_string().is_empty());
        }
    }
    let clean = found.iter().all(|s| s.violations.is_empty());
    assert_eq!(schemes::detect_strict(&payload).is_ok(), clean);
    let ids: Vec<_> = found.iter().map(|s| s.id).collect();
    assert_eq!(schemes::scheme_ids(&payload), ids);
    assert_eq!(
        schemes::pix::Pix::from_payload(&payload).is_some(),
        ids.contains(&schemes::SchemeId::Pix)
    );
    assert_eq!(
        schemes::promptpay::PromptPay::from_payload(&payload).is_some(),
        ids.contains(&schemes::SchemeId::PromptPay)
    );
    for object in payload.objects() {
        for child in object.children().into_iter().flatten() {
            // The child, and paths one level further in (VietQR names 38.01.00 and 38.01.01).
            let nested = [0, 1, 99].map(|id| Tag::new(id).and_then(|t| child.path().child(t)));
            for path in std::iter::once(Some(child.path())).chain(nested).flatten() {
                let name = schemes::field_name(&payload, path);
                assert!(name.is_none_or(|n| !n.is_empty()), "empty name at {path}");
            }
            // Objects a scheme nests in the child lie inside it, one level deeper, and their
            // encodings put together give back the child's value.
            if let Some(inner) = schemes::nested_objects(&payload, child.path()) {
                let mut rebuilt = String::new();
                for object in inner {
                    let path = object.path();
                    assert_eq!(path.depth(), 3, "{path} under {}", child.path());
                    assert!(
                        object.offset() >= child.offset() + 4,
                        "{path} before its parent"
                    );
                    let value = object.value();
                    let len = value.chars().count();
                    let encoded = format!("{}{len:02}{value}", object.tag());
                    // Its offset is where the payload holds exactly that encoding.
                    let at = text.get(object.offset()..).unwrap_or_default();
                    assert!(
                        at.starts_with(&encoded),
                        "{path} is not at byte {}",
                        object.offset()
                    );
                    rebuilt.push_str(&encoded);
                }
                assert_eq!(rebuilt, child.value());
            }
        }
    }
});
