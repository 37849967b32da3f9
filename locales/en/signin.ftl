# The sign-in flow: sign-in form, factor choice, code entry, push wait, recovery.

## Sign-in form (signin.html.tera).
signin-title = Sign in
signin-lead = Welcome back to { $product }.
signin-username = Username
signin-password = Password
signin-remember = Keep me signed in
signin-forgot = Forgot password?
signin-submit = Sign in
signin-passwordless = Or sign in without a password

## Ways to sign in or verify (buttons on the sign-in form and the factor choice).
method-otp = Code from an authenticator app
method-push = Push notification to Okta Verify
method-sms = Code by text message (SMS)
method-voice = Code by phone call
method-email = Code by email

## Factor choice (factor.html.tera).
factor-title = Verify it's you
factor-lead = Choose how you want to confirm it's you.
factor-recovery-title = Reset your password
factor-recovery-lead = Choose how we check it's you before you choose a new password.
factor-group = Verification methods

## Code entry (verify.html.tera).
verify-otp-title = Enter the code from your authenticator app
verify-otp-hint = Open your authenticator app and type the 6-digit code it shows.
verify-sms-title = Enter the code we texted you
verify-sms-hint = We sent a code by text message to the phone number on your account.
verify-voice-title = Enter the code from our call
verify-voice-hint = We are calling the phone number on your account to read you a code.
verify-email-title = Enter the code we emailed you
verify-email-hint = We sent a code to the email address on your account.
verify-push-title = Enter your code
verify-code = Code
verify-submit = Verify
verify-no-code = Didn't get it?
verify-resend = Send a new code
verify-resend-in = { $seconds ->
    [one] Available in { $seconds } second.
   *[other] Available in { $seconds } seconds.
}

## Links under every step.
step-switch = Try another way
step-cancel = Cancel

## Push wait (wait.html.tera and wait.js).
wait-title = Check your phone
wait-lead = We sent a sign-in request to Okta Verify for { $username }.
wait-number = Tap this number in Okta Verify:
wait-number-label = Number to tap: { $number }
wait-waiting = Waiting for your approval…
wait-continue = I've approved it, continue
wait-approved = Approved. Signing you in…
wait-denied = The request was denied. Taking you back…
wait-expired = The request expired. Taking you back…
wait-continuing = Continuing…

## Recovery (recover.html.tera, new_password.html.tera).
recover-title = Reset your password
recover-lead = Tell us who you are. We'll check it's you with a code or a push, then you choose a new password.
recover-continue = Continue
recover-back = Back to sign in
new-password-title = Choose a new password
new-password-lead = Type it twice. You'll sign in with it next.
new-password-field = New password
new-password-again = New password, again
new-password-submit = Change password

## Notices: one line at the top of a step.
notice-expired = That step took too long and has expired. Please start again.
notice-cancelled = Sign-in cancelled.
notice-denied = The sign-in request was denied on your device.
notice-code-sent = We sent you a code.
notice-code-resent = We sent you a new code.
notice-resend-wait = { $seconds ->
    [one] You can ask for a new code in { $seconds } second.
   *[other] You can ask for a new code in { $seconds } seconds.
}
notice-resend-limit = You have asked for too many codes. Use the last one we sent, or start again.
notice-method-unavailable = That method isn't available for your account. Please choose another.
notice-too-many-attempts = Too many wrong codes. Please start again.
notice-choose-another = Please choose another way to verify.
notice-signed-out = You have been signed out.
notice-session-ended = Your session has ended. Please sign in again.
notice-confirm-identity = To open this page, please confirm it's you: sign in again.
notice-password-changed = Your password has been changed. Sign in with your new password.
notice-confirm-change = To make this change, please confirm it's you: sign in again. Your change is kept and goes on afterwards.

## Form errors beside a field.
invalid-username-empty = Enter your username.
invalid-username = That username is not valid.
invalid-password-empty = Enter your password.
invalid-password-long = That password is too long.
invalid-method = Choose a way to sign in.
invalid-factor = Choose one of the options.
invalid-credentials = Your username or password is incorrect.
invalid-code-wrong = That code didn't work. Check it and try again.
invalid-code-empty = Enter the code.
invalid-code-long = That code is too long.
invalid-code-digits = The code is made of digits only.
invalid-code-alphanumeric = The code is made of letters and digits only.
invalid-new-password-empty = Enter a new password.
invalid-passwords-differ = The two passwords are not the same.
invalid-password-weak = Choose a stronger password:

## A password policy's rules, in words.
rule-min-length = { $count ->
    [one] Use at least { $count } character.
   *[other] Use at least { $count } characters.
}
rule-longer = Use more characters.
rule-lowercase = Include a lowercase letter.
rule-uppercase = Include an uppercase letter.
rule-number = Include a number.
rule-symbol = Include a symbol, such as ! or #.
rule-no-username = Don't use any part of your username.
rule-history = Choose a password you haven't used: not your current one nor any of your last { $count }.
rule-history-any = Choose a password you haven't used before.
rule-policy = Your organization's password policy does not accept this password. Try a longer one.
