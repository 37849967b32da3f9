# La page d'accueil et la page du compte.

## Home (home.html.tera).
home-welcome-back = Bon retour, { $name }
# $name when the profile has no name.
home-you = vous
home-signed-in = Vous êtes connecté.
home-signed-in-as = Vous êtes connecté en tant que { $email }.
home-account = Votre compte
home-sign-out = Se déconnecter
home-welcome = Bienvenue sur { $product }
home-not-signed-in = Vous n'êtes pas connecté.
home-sign-in = Se connecter

## Account (account.html.tera).
account-title = Votre compte
account-sign-out = Se déconnecter
account-profile = Profil
account-name = Nom
account-email = E-mail
account-username = Nom d'utilisateur
account-groups = Groupes
account-this-signin = Cette connexion
account-signed-in-at = Connecté le
account-methods-used = Méthodes utilisées
account-kept-signed-in = Rester connecté
account-yes = Oui
account-no = Non
account-methods = Méthodes de connexion
account-set-up = configurée
account-not-set-up = non configurée
account-phones = Téléphones
account-verified = vérifié
account-not-verified = non vérifié
account-text-code = Recevoir un code par SMS
account-call-code = Recevoir un code par appel
account-code-for = Code pour le { $number }
account-verify = Valider
account-remove = Supprimer le { $number }
account-no-phone = Aucun téléphone pour l'instant.
account-add-phone = Ajouter un téléphone
account-add-phone-hint = Avec l'indicatif du pays, par exemple +33 1 23 45 67 89.
account-add-phone-submit = Ajouter le téléphone
account-methods-unavailable = Vos méthodes de connexion ne peuvent pas être chargées pour le moment.
account-change-password = Changer le mot de passe
account-current-password = Mot de passe actuel
account-new-password = Nouveau mot de passe
account-new-password-again = Confirmez le nouveau mot de passe
account-change-password-submit = Changer le mot de passe
account-sessions = Sessions actives
account-sign-out-everywhere = Se déconnecter partout
account-device = Appareil
account-ip = Adresse IP
account-signed-in = Connexion
account-last-active = Dernière activité
account-this-browser = ce navigateur
account-unknown-browser = Navigateur inconnu
account-userinfo = Profil fourni par Okta
account-userinfo-show = Afficher les informations (claims) renvoyées par Okta à votre sujet
account-userinfo-unavailable = Votre profil Okta ne peut pas être chargé pour le moment.

## The line shown after an account action.
done-password-changed = Votre mot de passe a été modifié.
done-phone-added = Téléphone ajouté. Faites-vous envoyer un code et saisissez-le pour vérifier le numéro.
done-code-sent = Nous avons envoyé un code à ce téléphone.
done-phone-verified = Téléphone vérifié : vous pouvez désormais l'utiliser pour vous connecter.
done-phone-removed = Téléphone supprimé.

## Account form errors.
account-invalid-phone-number = Saisissez le numéro avec l'indicatif du pays, par exemple +33 1 23 45 67 89.
account-invalid-phone-choice = Choisissez l'un de vos téléphones.
account-invalid-current-password = Votre mot de passe actuel est incorrect.
account-invalid-code = Ce code n'a pas fonctionné. Vérifiez-le et réessayez.
account-invalid-phone-refused = Okta n'a pas accepté ce numéro.
account-invalid-phone-state = Impossible pour le moment : ce numéro est déjà le vôtre, ou le code a expiré (demandez-en un nouveau).
account-invalid-phone-gone = Ce téléphone ne figure plus sur votre compte.
account-invalid-reauth = Cette modification n'est pas possible avec cette connexion. Déconnectez-vous, reconnectez-vous, puis réessayez.
account-invalid-current-password-empty = Saisissez votre mot de passe actuel.
account-invalid-phone-method = Choisissez un SMS ou un appel.
account-invalid-code-digits = Saisissez le code : des chiffres uniquement.
