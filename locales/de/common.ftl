# Gemeinsame Texte aller Seiten: Layout, Sprachauswahl, Datumsangaben, Fehlerseiten.
# Die Nachrichten-IDs sind die der englischen Kataloge (locales/en).

## This language, named in itself (shown in the language picker).
language-name = Deutsch

## The layout (base.html.tera).
skip-to-content = Zum Inhalt springen
secure-badge = Sichere Anmeldung
language-picker = Sprache
footer-safety = { $product } wird Sie niemals telefonisch oder per E-Mail nach Ihrem Passwort oder einem Einmalcode fragen.
footer-support = Hilfe und Support
# Put before a page title when its form came back with an error.
title-error = Fehler:

## Dates and times (UTC). Variables: $year, $month, $day, $hour, $minute (zero-padded).
datetime-utc = { $day }.{ $month }.{ $year }, { $hour }:{ $minute } UTC

## The error page (error.html.tera).
error-retry-after = { $seconds ->
    [one] Sie können es in etwa { $seconds } Sekunde erneut versuchen.
   *[other] Sie können es in etwa { $seconds } Sekunden erneut versuchen.
}
error-back-to-signin = Zurück zur Anmeldung
error-reference = Wenn Sie sich an den Support wenden, nennen Sie bitte diese Vorgangsnummer:
error-unavailable-title = Die Anmeldung ist gerade nicht möglich
error-unavailable-detail = Bei uns ist ein Fehler aufgetreten. Bitte versuchen Sie es gleich noch einmal.
error-unavailable-short-detail = Bitte versuchen Sie es gleich noch einmal.
error-rate-limited-title = Zu viele Versuche
error-rate-limited-detail = Bitte warten Sie einen Moment, bevor Sie es erneut versuchen.
error-policy-title = Diese Anmeldeart ist nicht verfügbar
error-policy-detail = Die Richtlinie Ihrer Organisation lässt sie nicht zu. Wählen Sie eine andere Möglichkeit oder wenden Sie sich an den Support.
error-internal-title = Etwas ist schiefgelaufen
error-internal-detail = Bitte beginnen Sie gleich noch einmal von vorn.
error-csrf-title = Diese Seite ist abgelaufen
error-csrf-detail = Zu Ihrer Sicherheit konnte das Formular nicht angenommen werden. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-not-found-title = Seite nicht gefunden
error-not-found-detail = Unter dieser Adresse ist keine Seite vorhanden.
error-refused-title = Anfrage abgelehnt
error-refused-detail = Diese Anfrage wurde zu Ihrer Sicherheit abgelehnt. Laden Sie die Seite neu und versuchen Sie es erneut.
error-bad-request-title = Mit der Anfrage stimmte etwas nicht
error-bad-request-detail = Gehen Sie zurück, prüfen Sie das Formular und versuchen Sie es erneut.
error-forbidden-title = Sie haben keinen Zugriff auf diese Seite
error-forbidden-detail = Sie sind angemeldet, aber diese Seite ist für Ihr Konto nicht freigegeben. Wenn Sie meinen, dass sie es sein sollte, wenden Sie sich an die Betreiber dieser Website.
