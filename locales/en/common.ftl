# Shared by every page: the layout, the language picker, dates, the error pages.
# Message ids are stable: an operator's i18n.dir may override any of them.

## This language, named in itself (shown in the language picker).
language-name = English

## The layout (base.html.tera).
skip-to-content = Skip to content
secure-badge = Secure sign-in
language-picker = Language
footer-safety = { $product } will never ask you for your password or a code by phone or email.
footer-support = Help and support
# Put before a page title when its form came back with an error.
title-error = Error:

## Dates and times (UTC). Variables: $year, $month, $day, $hour, $minute (zero-padded).
datetime-utc = { $year }-{ $month }-{ $day } { $hour }:{ $minute } UTC

## The error page (error.html.tera).
error-retry-after = { $seconds ->
    [one] You can try again in about { $seconds } second.
   *[other] You can try again in about { $seconds } seconds.
}
error-back-to-signin = Back to sign in
error-reference = If you contact support, quote this operation id:
error-unavailable-title = We can't sign you in right now
error-unavailable-detail = Something went wrong on our side. Please try again in a moment.
error-unavailable-short-detail = Please try again in a moment.
error-rate-limited-title = Too many attempts
error-rate-limited-detail = Please wait a little before trying again.
error-policy-title = This way of signing in isn't available
error-policy-detail = Your organization's policy doesn't allow it. Try another way, or contact support.
error-internal-title = Something went wrong
error-internal-detail = Please start again in a moment.
error-csrf-title = This page has expired
error-csrf-detail = For your security the form could not be accepted. Go back, reload the page and try again.
error-not-found-title = Page not found
error-not-found-detail = There is nothing at this address.
error-refused-title = Request refused
error-refused-detail = This request was refused for your security. Reload the page and try again.
error-bad-request-title = Something in the request was not right
error-bad-request-detail = Go back, check the form and try again.
error-forbidden-title = You don't have access to this page
error-forbidden-detail = You are signed in, but this page is not open to your account. If you think it should be, ask the people who run this site.
