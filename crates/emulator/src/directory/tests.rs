//! The directory: demo data, users-file parsing and errors.

use super::*;

#[test]
fn demo_directory_matches_the_contract() {
    let d = Directory::demo().unwrap();
    let bob = d.user("Bob@Example.com").unwrap();
    for f in [
        Factor::Password,
        Factor::Totp,
        Factor::Sms,
        Factor::Voice,
        Factor::Email,
        Factor::Push,
    ] {
        assert!(bob.enrolled(f), "{f:?}");
    }
    assert!(!bob.number_challenge());
    let carol = d.user("carol@example.com").unwrap();
    assert!(!carol.enrolled(Factor::Password) && carol.number_challenge());
    let dave = d.user("dave@example.com").unwrap();
    assert!(dave.policy.password_required && dave.enrolled(Factor::Push));
    assert!(!dave.enrolled(Factor::Totp));
    assert_eq!(
        d.user("erin@example.com").unwrap().status,
        Status::Suspended
    );
    assert!(verify_password(
        d.user("alice@example.com")
            .unwrap()
            .password_hash
            .as_ref()
            .unwrap(),
        DEMO_PASSWORD
    ));
    assert!(d.client(DEMO_JWT_CLIENT_ID).is_some());
}

#[test]
fn users_file_password_policy_and_recovery() {
    let file: OrgFile = serde_json::from_str(
        r#"{"users":[{"login":"x@example.com","policy":{"factors":1},"email_otp":true,
            "recovery":["email","otp"]}],
            "password_policy":{"minLength":12,"historyCount":2}}"#,
    )
    .unwrap();
    let d = Directory::build(file).unwrap();
    assert_eq!(d.password_policy.min_length, 12);
    assert_eq!(d.password_policy.history_count, 2);
    assert_eq!(d.password_policy.min_upper_case, 1);
    let x = d.user("x@example.com").unwrap();
    assert_eq!(x.recovery, vec![Factor::Email, Factor::Totp]);
    assert_eq!(
        Directory::demo().unwrap().user(BOB_LOGIN).unwrap().recovery,
        vec![Factor::Email, Factor::Sms, Factor::Voice, Factor::Push]
    );
    let bad: OrgFile = serde_json::from_str(
        r#"{"users":[{"login":"y@example.com","policy":{"factors":1},"recovery":["fax"]}]}"#,
    )
    .unwrap();
    let err = Directory::build(bad).err().unwrap().to_string();
    assert!(err.contains("recovery"), "{err}");
}

const BOB_LOGIN: &str = "bob@example.com";

#[test]
fn users_file_errors_name_the_entry() {
    let file: OrgFile =
        serde_json::from_str(r#"{"users":[{"login":"x@example.com","policy":{"factors":3}}]}"#)
            .unwrap();
    let err = Directory::build(file).err().unwrap().to_string();
    assert!(err.contains("users[0]") && err.contains("factors"), "{err}");
}
