# The home page and the account page.

## Home (home.html.tera).
home-welcome-back = Welcome back, { $name }
# $name when the profile has no name.
home-you = you
home-signed-in = You are signed in.
home-signed-in-as = You are signed in as { $email }.
home-account = Your account
home-sign-out = Sign out
home-welcome = Welcome to { $product }
home-not-signed-in = You are not signed in.
home-sign-in = Sign in

## Account (account.html.tera).
account-title = Your account
account-sign-out = Sign out
account-profile = Profile
account-name = Name
account-email = Email
account-username = Username
account-groups = Groups
account-this-signin = This sign-in
account-signed-in-at = Signed in at
account-methods-used = Methods used
account-kept-signed-in = Kept signed in
account-yes = Yes
account-no = No
account-methods = Sign-in methods
account-set-up = set up
account-not-set-up = not set up
account-phones = Phones
account-verified = verified
account-not-verified = not verified
account-text-code = Text me a code
account-call-code = Call me with a code
account-code-for = Code for { $number }
account-verify = Verify
account-remove = Remove { $number }
account-no-phone = No phone yet.
account-add-phone = Add a phone
account-add-phone-hint = With its country code, like +1 555 010 0199.
account-add-phone-submit = Add phone
account-methods-unavailable = Your sign-in methods can't be loaded right now.
account-change-password = Change password
account-current-password = Current password
account-new-password = New password
account-new-password-again = New password, again
account-change-password-submit = Change password
account-sessions = Active sessions
account-sign-out-everywhere = Sign out everywhere
account-device = Device
account-ip = IP address
account-signed-in = Signed in
account-last-active = Last active
account-this-browser = this browser
account-unknown-browser = Unknown browser
account-userinfo = Profile from Okta
account-userinfo-show = Show the claims Okta returned for you
account-userinfo-unavailable = Your Okta profile can't be loaded right now.

## The line shown after an account action.
done-password-changed = Your password has been changed.
done-phone-added = Phone added. Send it a code and enter it to verify the number.
done-code-sent = We sent a code to that phone.
done-phone-verified = Phone verified: you can now sign in with it.
done-phone-removed = Phone removed.

## Account form errors.
account-invalid-phone-number = Enter the number with its country code, like +1 555 010 0199.
account-invalid-phone-choice = Choose one of your phones.
account-invalid-current-password = Your current password is incorrect.
account-invalid-code = That code didn't work. Check it and try again.
account-invalid-phone-refused = Okta did not accept that number.
account-invalid-phone-state = That can't be done now: the number is already yours, or the code has expired (send a new one).
account-invalid-phone-gone = That phone is no longer on your account.
account-invalid-reauth = This can't be changed with this sign-in. Sign out and in again, then retry.
account-invalid-current-password-empty = Enter your current password.
account-invalid-phone-method = Choose a text message or a call.
account-invalid-code-digits = Enter the code: digits only.
