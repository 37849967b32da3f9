//! The MyAccount Authenticators API (read side): the org's authenticators and, with
//! `expand=enrollments`, the caller's enrollments with masked identifiers
//! (docs/okta-myaccount-and-recovery.md §7).

use crate::common::*;

const READ: &str = "okta.myAccount.authenticators.read";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_lists_his_authenticators() {
    let emu = Emu::start().await;
    let token = emu.bob_token_with(READ).await;
    let r = emu
        .myaccount(
            "GET",
            "/authenticators?expand=enrollments",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = r.json.as_array().unwrap();
    let keys: Vec<&str> = list.iter().map(|a| a["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "okta_password",
            "okta_email",
            "phone_number",
            "google_otp",
            "okta_verify"
        ]
    );
    for a in list {
        assert!(a["id"].as_str().unwrap().starts_with("aut"), "{a}");
        let enrollments = a["_embedded"]["enrollments"].as_array().unwrap();
        assert_eq!(enrollments.len(), 1, "{a}");
    }
    let email = &list[1]["_embedded"]["enrollments"][0];
    assert_eq!(email["profile"]["email"], "b***b@example.com");
    let phone = &list[2]["_embedded"]["enrollments"][0];
    assert_eq!(phone["profile"]["phoneNumber"], "+X XXX-XXX-0100");
    assert_eq!(
        list[0]["_embedded"]["enrollments"][0]["canResetPassword"],
        true
    );
    // Without expand, no enrollments; without the scope, nothing.
    let r = emu
        .myaccount("GET", "/authenticators", Some(&token), None)
        .await;
    assert!(r.json[0].get("_embedded").is_none(), "{}", r.text);
    let alice = emu
        .password_with(ALICE, PASSWORD, PASSWORD_MANAGE)
        .await
        .str("access_token");
    emu.myaccount("GET", "/authenticators", Some(&alice), None)
        .await
        .expect_error(403, "E0000006");
    // Alice: only her password is enrolled.
    let alice = emu
        .password_with(ALICE, PASSWORD, READ)
        .await
        .str("access_token");
    let r = emu
        .myaccount(
            "GET",
            "/authenticators?expand=enrollments",
            Some(&alice),
            None,
        )
        .await;
    let enrolled: Vec<&str> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["_embedded"]["enrollments"].as_array().unwrap().is_empty())
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(enrolled, ["okta_password"]);
}
