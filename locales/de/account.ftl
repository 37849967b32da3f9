# Startseite und Kontoseite.

## Home (home.html.tera).
home-welcome-back = Willkommen zurück, { $name }
# $name when the profile has no name.
home-you = Sie
home-signed-in = Sie sind angemeldet.
home-signed-in-as = Sie sind als { $email } angemeldet.
home-account = Ihr Konto
home-sign-out = Abmelden
home-welcome = Willkommen bei { $product }
home-not-signed-in = Sie sind nicht angemeldet.
home-sign-in = Anmelden

## Account (account.html.tera).
account-title = Ihr Konto
account-sign-out = Abmelden
account-profile = Profil
account-name = Name
account-email = E-Mail
account-username = Benutzername
account-groups = Gruppen
account-this-signin = Diese Anmeldung
account-signed-in-at = Angemeldet am
account-methods-used = Verwendete Methoden
account-kept-signed-in = Angemeldet bleiben
account-yes = Ja
account-no = Nein
account-methods = Anmeldemethoden
account-set-up = eingerichtet
account-not-set-up = nicht eingerichtet
account-phones = Telefone
account-verified = bestätigt
account-not-verified = nicht bestätigt
account-text-code = Einmalcode per SMS senden
account-call-code = Einmalcode per Anruf erhalten
account-code-for = Einmalcode für { $number }
account-verify = Bestätigen
account-remove = { $number } entfernen
account-no-phone = Noch kein Telefon.
account-add-phone = Telefon hinzufügen
account-add-phone-hint = Mit Ländervorwahl, zum Beispiel +49 30 1234 5678.
account-add-phone-submit = Telefon hinzufügen
account-methods-unavailable = Ihre Anmeldemethoden können gerade nicht geladen werden.
account-change-password = Passwort ändern
account-current-password = Aktuelles Passwort
account-new-password = Neues Passwort
account-new-password-again = Neues Passwort wiederholen
account-change-password-submit = Passwort ändern
account-sessions = Aktive Sitzungen
account-sign-out-everywhere = Überall abmelden
account-device = Gerät
account-ip = IP-Adresse
account-signed-in = Angemeldet
account-last-active = Zuletzt aktiv
account-this-browser = dieser Browser
account-unknown-browser = Unbekannter Browser
account-userinfo = Profil von Okta
account-userinfo-show = Die Angaben (Claims) anzeigen, die Okta über Sie geliefert hat
account-userinfo-unavailable = Ihr Okta-Profil kann gerade nicht geladen werden.

## The line shown after an account action.
done-password-changed = Ihr Passwort wurde geändert.
done-phone-added = Telefon hinzugefügt. Lassen Sie sich einen Einmalcode senden und geben Sie ihn ein, um die Nummer zu bestätigen.
done-code-sent = Wir haben einen Einmalcode an dieses Telefon gesendet.
done-phone-verified = Telefon bestätigt: Sie können sich jetzt damit anmelden.
done-phone-removed = Telefon entfernt.

## Account form errors.
account-invalid-phone-number = Geben Sie die Nummer mit Ländervorwahl ein, zum Beispiel +49 30 1234 5678.
account-invalid-phone-choice = Wählen Sie eines Ihrer Telefone.
account-invalid-current-password = Ihr aktuelles Passwort ist falsch.
account-invalid-code = Dieser Einmalcode hat nicht funktioniert. Prüfen Sie ihn und versuchen Sie es erneut.
account-invalid-phone-refused = Okta hat diese Nummer nicht angenommen.
account-invalid-phone-state = Das ist gerade nicht möglich: Die Nummer gehört bereits Ihnen, oder der Einmalcode ist abgelaufen (fordern Sie einen neuen an).
account-invalid-phone-gone = Dieses Telefon ist nicht mehr in Ihrem Konto.
account-invalid-reauth = Das kann mit dieser Anmeldung nicht geändert werden. Melden Sie sich ab und wieder an und versuchen Sie es dann erneut.
account-invalid-current-password-empty = Geben Sie Ihr aktuelles Passwort ein.
account-invalid-phone-method = Wählen Sie SMS oder Anruf.
account-invalid-code-digits = Geben Sie den Einmalcode ein: nur Ziffern.
