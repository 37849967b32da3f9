# Der Anmeldeablauf: Anmeldeformular, Wahl des Faktors, Codeeingabe, Push-Bestätigung, Wiederherstellung.
# Begriffe: „Anmelden“, „Einmalcode“, „Authentifizierungs-App“, „Passwort“.

## Sign-in form (signin.html.tera).
signin-title = Anmelden
signin-lead = Willkommen zurück bei { $product }.
signin-username = Benutzername
signin-password = Passwort
signin-remember = Angemeldet bleiben
signin-forgot = Passwort vergessen?
signin-submit = Anmelden
signin-passwordless = Oder ohne Passwort anmelden

## Ways to sign in or verify (buttons on the sign-in form and the factor choice).
method-otp = Einmalcode aus einer Authentifizierungs-App
method-push = Push-Benachrichtigung an Okta Verify
method-sms = Einmalcode per SMS
method-voice = Einmalcode per Anruf
method-email = Einmalcode per E-Mail

## Factor choice (factor.html.tera).
factor-title = Bestätigen Sie Ihre Identität
factor-lead = Wählen Sie, wie Sie bestätigen möchten, dass Sie es sind.
factor-recovery-title = Passwort zurücksetzen
factor-recovery-lead = Wählen Sie, wie wir prüfen, dass Sie es sind, bevor Sie ein neues Passwort festlegen.
factor-group = Bestätigungsmethoden

## Code entry (verify.html.tera).
verify-otp-title = Geben Sie den Einmalcode aus Ihrer Authentifizierungs-App ein
verify-otp-hint = Öffnen Sie Ihre Authentifizierungs-App und geben Sie den angezeigten 6-stelligen Einmalcode ein.
verify-sms-title = Geben Sie den Einmalcode aus unserer SMS ein
verify-sms-hint = Wir haben Ihnen einen Einmalcode per SMS an die Telefonnummer Ihres Kontos gesendet.
verify-voice-title = Geben Sie den Einmalcode aus unserem Anruf ein
verify-voice-hint = Wir rufen die Telefonnummer Ihres Kontos an und sagen Ihnen einen Einmalcode an.
verify-email-title = Geben Sie den Einmalcode aus unserer E-Mail ein
verify-email-hint = Wir haben Ihnen einen Einmalcode an die E-Mail-Adresse Ihres Kontos gesendet.
verify-push-title = Geben Sie Ihren Einmalcode ein
verify-code = Einmalcode
verify-submit = Bestätigen
verify-no-code = Nichts erhalten?
verify-resend = Neuen Einmalcode senden
verify-resend-in = { $seconds ->
    [one] Wieder möglich in { $seconds } Sekunde.
   *[other] Wieder möglich in { $seconds } Sekunden.
}

## Links under every step.
step-switch = Andere Möglichkeit wählen
step-cancel = Abbrechen

## Push wait (wait.html.tera and wait.js).
wait-title = Prüfen Sie Ihr Telefon
wait-lead = Wir haben eine Anmeldeanfrage an Okta Verify für { $username } gesendet.
wait-number = Tippen Sie in Okta Verify auf diese Zahl:
wait-number-label = Zahl zum Antippen: { $number }
wait-waiting = Wir warten auf Ihre Bestätigung …
wait-continue = Ich habe bestätigt, weiter
wait-approved = Bestätigt. Sie werden angemeldet …
wait-denied = Die Anfrage wurde abgelehnt. Sie werden zurückgeleitet …
wait-expired = Die Anfrage ist abgelaufen. Sie werden zurückgeleitet …
wait-continuing = Es geht weiter …

## Recovery (recover.html.tera, new_password.html.tera).
recover-title = Passwort zurücksetzen
recover-lead = Sagen Sie uns, wer Sie sind. Wir prüfen Ihre Identität mit einem Einmalcode oder einer Push-Benachrichtigung, dann legen Sie ein neues Passwort fest.
recover-continue = Weiter
recover-back = Zurück zur Anmeldung
new-password-title = Neues Passwort festlegen
new-password-lead = Geben Sie es zweimal ein. Sie melden sich danach damit an.
new-password-field = Neues Passwort
new-password-again = Neues Passwort wiederholen
new-password-submit = Passwort ändern

## Notices: one line at the top of a step.
notice-expired = Dieser Schritt hat zu lange gedauert und ist abgelaufen. Bitte beginnen Sie von vorn.
notice-cancelled = Anmeldung abgebrochen.
notice-denied = Die Anmeldeanfrage wurde auf Ihrem Gerät abgelehnt.
notice-code-sent = Wir haben Ihnen einen Einmalcode gesendet.
notice-code-resent = Wir haben Ihnen einen neuen Einmalcode gesendet.
notice-resend-wait = { $seconds ->
    [one] Sie können in { $seconds } Sekunde einen neuen Einmalcode anfordern.
   *[other] Sie können in { $seconds } Sekunden einen neuen Einmalcode anfordern.
}
notice-resend-limit = Sie haben zu viele Einmalcodes angefordert. Verwenden Sie den zuletzt gesendeten oder beginnen Sie von vorn.
notice-method-unavailable = Diese Methode ist für Ihr Konto nicht verfügbar. Bitte wählen Sie eine andere.
notice-too-many-attempts = Zu viele falsche Einmalcodes. Bitte beginnen Sie von vorn.
notice-choose-another = Bitte wählen Sie eine andere Bestätigungsmethode.
notice-signed-out = Sie wurden abgemeldet.
notice-session-ended = Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.
notice-confirm-identity = Um diese Seite zu öffnen, bestätigen Sie bitte Ihre Identität: Melden Sie sich erneut an.
notice-password-changed = Ihr Passwort wurde geändert. Melden Sie sich mit Ihrem neuen Passwort an.
notice-confirm-change = Um diese Änderung vorzunehmen, bestätigen Sie bitte Ihre Identität: Melden Sie sich erneut an. Ihre Änderung bleibt erhalten und wird danach ausgeführt.

## Form errors beside a field.
invalid-username-empty = Geben Sie Ihren Benutzernamen ein.
invalid-username = Dieser Benutzername ist ungültig.
invalid-password-empty = Geben Sie Ihr Passwort ein.
invalid-password-long = Dieses Passwort ist zu lang.
invalid-method = Wählen Sie eine Anmeldeart.
invalid-factor = Wählen Sie eine der Möglichkeiten.
invalid-credentials = Benutzername oder Passwort ist falsch.
invalid-code-wrong = Dieser Einmalcode hat nicht funktioniert. Prüfen Sie ihn und versuchen Sie es erneut.
invalid-code-empty = Geben Sie den Einmalcode ein.
invalid-code-long = Dieser Einmalcode ist zu lang.
invalid-code-digits = Der Einmalcode besteht nur aus Ziffern.
invalid-code-alphanumeric = Der Einmalcode besteht nur aus Buchstaben und Ziffern.
invalid-new-password-empty = Geben Sie ein neues Passwort ein.
invalid-passwords-differ = Die beiden Passwörter stimmen nicht überein.
invalid-password-weak = Wählen Sie ein sichereres Passwort:

## A password policy's rules, in words.
rule-min-length = Verwenden Sie mindestens { $count } Zeichen.
rule-longer = Verwenden Sie mehr Zeichen.
rule-lowercase = Verwenden Sie mindestens einen Kleinbuchstaben.
rule-uppercase = Verwenden Sie mindestens einen Großbuchstaben.
rule-number = Verwenden Sie mindestens eine Ziffer.
rule-symbol = Verwenden Sie mindestens ein Sonderzeichen, zum Beispiel ! oder #.
rule-no-username = Verwenden Sie keinen Teil Ihres Benutzernamens.
rule-history = Wählen Sie ein Passwort, das Sie noch nicht verwendet haben: weder Ihr aktuelles noch eines Ihrer letzten { $count }.
rule-history-any = Wählen Sie ein Passwort, das Sie noch nicht verwendet haben.
rule-policy = Die Passwortrichtlinie Ihrer Organisation lässt dieses Passwort nicht zu. Versuchen Sie es mit einem längeren.
