//! The browser's codec (`ringside::codec`) against serde_json, the server's:
//! the same bytes out, the same values in, and the same refusals for what a
//! hostile or broken peer sends (SPEC N6, N8: an error, never a panic). The
//! scenario and property tests compare the two on every message and view they
//! produce (tests/support `roundtrip`); these cover what those never make.

use ringside::codec::{self, Json};
use ringside::model::profile::{Preset, StatusDef};
use ringside::model::state::CommandKind;
use ringside::model::{CommandId, Profile, Seq};
use ringside::protocol::{ClientMessage, ServerMessage};

#[test]
fn strings_are_escaped_exactly_as_serde_json_does() {
    let texts = ["plain", "quote \" and \\ back", "lines\n\r\t\u{8}\u{c}", "\u{1}\u{1f}\u{7f}", "å ä ö 日本 🎧", "</script>"];
    for text in texts {
        let kind = CommandKind::Dtmf { interaction: ringside::model::InteractionId(1), digits: text.to_owned() };
        let expected = serde_json::to_string(&kind).unwrap();
        assert_eq!(codec::to_string(&kind), expected);
        assert_eq!(codec::from_str::<CommandKind>(&expected).unwrap(), kind);
    }
}

#[test]
fn escapes_serde_json_accepts_are_read_the_same() {
    let frame = r#"{"command":{"id":"c\u00e51","kind":{"set_status":{"status":"av\/ail\ud83c\udfa7","secondary":null}}}}"#;
    let by_serde: ClientMessage = serde_json::from_str(frame).unwrap();
    assert_eq!(codec::from_str::<ClientMessage>(frame).unwrap(), by_serde);
}

/// SPEC N6: an unknown field is ignored by both, whatever JSON it holds
/// (any number among it), unless the type denies unknown fields.
#[test]
fn unknown_fields_are_ignored_unless_the_type_denies_them() {
    let ack = r#"{"ack":{"id":"c1","seq":7,"newer_field":[1,{"x":null},-1,-0,1.5,2E-3,0e+7,18446744073709551616]}}"#;
    let expected = ServerMessage::Ack { id: CommandId::from("c1"), seq: Seq(7) };
    assert_eq!(serde_json::from_str::<ServerMessage>(ack).unwrap(), expected);
    assert_eq!(codec::from_str::<ServerMessage>(ack).unwrap(), expected);

    let status = Profile::preset(Preset::ContactCenter).statuses[0].clone();
    let mut json = serde_json::to_value(&status).unwrap();
    json["surprise"] = serde_json::Value::Bool(true);
    let text = json.to_string();
    assert!(serde_json::from_str::<StatusDef>(&text).is_err());
    assert!(codec::from_str::<StatusDef>(&text).is_err());
}

#[test]
fn a_whole_profile_reads_back_equal() {
    for preset in [Preset::ContactCenter, Preset::Presence] {
        let profile = Profile::preset(preset);
        let text = serde_json::to_string(&profile).unwrap();
        assert_eq!(codec::to_string(&profile), text);
        assert_eq!(codec::from_str::<Profile>(&text).unwrap(), profile);
    }
}

#[test]
fn broken_frames_are_refused_by_both() {
    let frames = [
        "",
        "{",
        r#"{"ack":{"id":"c1","seq":-1}}"#,
        r#"{"ack":{"id":"c1","seq":-0}}"#,
        r#"{"ack":{"id":"c1","seq":1.5}}"#,
        r#"{"ack":{"id":"c1","seq":1e3}}"#,
        r#"{"ack":{"id":"c1","seq":18446744073709551616}}"#,
        r#"{"ack":{"id":"c1","seq":01}}"#,
        r#"{"ack":{"id":"c1","seq":1,"x":-}}"#,
        r#"{"ack":{"id":"c1","seq":1,"x":1.}}"#,
        r#"{"ack":{"id":"c1","seq":1,"x":.5}}"#,
        r#"{"ack":{"id":"c1","seq":1,"x":1e}}"#,
        r#"{"ack":{"id":"c1","seq":1,"x":-01}}"#,
        r#"{"ack":{"id":"c1","seq":1,"x":+1}}"#,
        r#"{"ack":{"id":"c1"}}"#,
        r#"{"ack":{"id":"c1","seq":1}} trailing"#,
        r#"{"ack":{"id":"c\x1","seq":1}}"#,
        r#"{"ack":{"id":"\ud800","seq":1}}"#,
        r#"{"no_such_kind":{}}"#,
        r#"{"ack":{"id":"c1","seq":1},"pong":{}}"#,
        "\"ack\"",
        "[]",
        "nul",
    ];
    for frame in frames {
        assert!(serde_json::from_str::<ServerMessage>(frame).is_err(), "serde_json took {frame}");
        assert!(codec::from_str::<ServerMessage>(frame).is_err(), "the codec took {frame}");
    }
}

/// SPEC N6: an unknown kind, or a known one in the other form (a unit
/// kind given data, a kind with data given none), is refused by both, and
/// the codec says which.
#[test]
fn unknown_kinds_and_kinds_in_the_wrong_form_are_refused_by_both() {
    for (command, reason) in [
        (r#""no_such_command""#, "unknown kind"),
        (r#"{"no_such_command":{}}"#, "unknown kind"),
        (r#""set_status""#, "unknown kind"),
        (r#"{"login":{}}"#, "unknown kind"),
        (r#"{"set_status":{"status":"lunch","secondary":7}}"#, "expected a string at secondary"),
    ] {
        assert!(serde_json::from_str::<CommandKind>(command).is_err(), "serde_json took {command}");
        assert_eq!(codec::from_str::<CommandKind>(command).unwrap_err().to_string(), reason, "{command}");
    }
    for command in [r#""login""#, r#"{"set_status":{"status":"lunch"}}"#, r#"{"accept":{"offer":3}}"#] {
        let ours = codec::from_str::<CommandKind>(command).expect("a command");
        assert_eq!(ours, serde_json::from_str::<CommandKind>(command).expect("a command"));
    }
}

/// SPEC N6: a missing field is refused by both unless its type has a
/// default or is an `Option`, and the codec names the path to the field
/// that failed, outermost first.
#[test]
fn missing_fields_are_refused_by_both_and_named_with_their_path() {
    for (frame, reason) in [
        (r#"{"ack":{"id":"c1"}}"#, "a field is missing at seq"),
        (r#"{"event":{"seq":1,"at":5,"agent":"a1"}}"#, "a field is missing at kind"),
        (r#"{"event":{"seq":1,"at":5,"agent":"a1","kind":{"status_changed":{}}}}"#, "a field is missing at kind.status"),
        (r#"{"event":{"seq":"1","at":5,"agent":"a1","kind":"logged_out"}}"#, "expected a whole number at seq"),
        (r#"{"nack":{"code":"busy","message":7}}"#, "expected a string at message"),
    ] {
        assert!(serde_json::from_str::<ServerMessage>(frame).is_err(), "serde_json took {frame}");
        assert_eq!(codec::from_str::<ServerMessage>(frame).unwrap_err().to_string(), reason, "{frame}");
    }
    let no_id = r#"{"nack":{"code":"busy","message":"later"}}"#;
    let ours = codec::from_str::<ServerMessage>(no_id).expect("a nack without an id");
    assert_eq!(ours, serde_json::from_str::<ServerMessage>(no_id).expect("a nack without an id"));
}

/// The browser engine sends a command as the page wrote it (SPEC N6), so a
/// command the codec reads must read the same at the server: a field given
/// twice is refused by both; a map's key given twice is the last one for
/// both.
#[test]
fn a_field_given_twice_is_refused_by_both_and_a_map_key_twice_is_the_last() {
    let twice = r#"{"set_status":{"status":"lunch","status":"training"}}"#;
    assert!(serde_json::from_str::<CommandKind>(twice).is_err(), "serde_json took {twice}");
    assert_eq!(codec::from_str::<CommandKind>(twice).unwrap_err().to_string(), "a field given twice at status");
    let fields = r#"{"edit_record":{"record":1,"fields":{"name":"a","name":"b"}}}"#;
    let by_serde = serde_json::from_str::<CommandKind>(fields).expect("a command");
    assert_eq!(codec::from_str::<CommandKind>(fields).expect("a command"), by_serde);
}

/// SPEC N6: the one frame serde_json reads and the codec refuses: a lone
/// surrogate escape in a value serde_json skips (an unknown field). The codec never
/// reads one, so it never sends a command the server reads otherwise.
#[test]
fn a_lone_surrogate_is_refused_even_where_serde_json_skips_it() {
    let frame = r#"{"ping":{"client_time":52,"digits":"\ud834"}}"#;
    assert_eq!(serde_json::from_str::<ClientMessage>(frame).unwrap(), ClientMessage::Ping { client_time: 52 });
    assert_eq!(codec::from_str::<ClientMessage>(frame).unwrap_err().to_string(), "a lone surrogate");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(codec::parse(&deep).is_err());
    let fine = format!("{}{}", "[".repeat(60), "]".repeat(60));
    assert!(codec::parse(&fine).is_ok());
}

#[test]
fn errors_name_the_field_that_failed() {
    let error = codec::from_str::<ServerMessage>(r#"{"ack":{"id":7,"seq":1}}"#).unwrap_err();
    assert_eq!(error.to_string(), "expected a string at id");
    assert_eq!(codec::parse("  {\"a\" : [true, false, null, 12] }  ").unwrap(), Json::Object(vec![(
        "a".to_owned(),
        Json::Array(vec![Json::Bool(true), Json::Bool(false), Json::Null, Json::Number(12)])
    )]));
}
