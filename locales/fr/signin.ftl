# Le parcours de connexion : formulaire, choix du facteur, saisie du code, attente de la
# notification, récupération du compte.

## Sign-in form (signin.html.tera).
signin-title = Se connecter
signin-lead = Bienvenue sur { $product }.
signin-username = Nom d'utilisateur
signin-password = Mot de passe
signin-remember = Rester connecté
signin-forgot = Mot de passe oublié ?
signin-submit = Se connecter
signin-passwordless = Ou se connecter sans mot de passe

## Ways to sign in or verify (buttons on the sign-in form and the factor choice).
method-otp = Code d'une application d'authentification
method-push = Notification push sur Okta Verify
method-sms = Code par SMS
method-voice = Code par appel téléphonique
method-email = Code par e-mail

## Factor choice (factor.html.tera).
factor-title = Confirmez votre identité
factor-lead = Choisissez comment confirmer qu'il s'agit bien de vous.
factor-recovery-title = Réinitialiser votre mot de passe
factor-recovery-lead = Choisissez comment nous vérifions votre identité avant que vous ne choisissiez un nouveau mot de passe.
factor-group = Méthodes de vérification

## Code entry (verify.html.tera).
verify-otp-title = Saisissez le code de votre application d'authentification
verify-otp-hint = Ouvrez votre application d'authentification et saisissez le code à 6 chiffres qu'elle affiche.
verify-sms-title = Saisissez le code reçu par SMS
verify-sms-hint = Nous avons envoyé un code à usage unique par SMS au numéro de téléphone de votre compte.
verify-voice-title = Saisissez le code de notre appel
verify-voice-hint = Nous appelons le numéro de téléphone de votre compte pour vous dicter un code à usage unique.
verify-email-title = Saisissez le code reçu par e-mail
verify-email-hint = Nous avons envoyé un code à usage unique à l'adresse e-mail de votre compte.
verify-push-title = Saisissez votre code
verify-code = Code à usage unique
verify-submit = Valider
verify-no-code = Vous ne l'avez pas reçu ?
verify-resend = Envoyer un nouveau code
verify-resend-in = { $seconds ->
    [one] Disponible dans { $seconds } seconde.
   *[other] Disponible dans { $seconds } secondes.
}

## Links under every step.
step-switch = Choisir un autre moyen
step-cancel = Annuler

## Push wait (wait.html.tera and wait.js).
wait-title = Consultez votre téléphone
wait-lead = Nous avons envoyé une demande de connexion à Okta Verify pour { $username }.
wait-number = Touchez ce nombre dans Okta Verify :
wait-number-label = Nombre à toucher : { $number }
wait-waiting = En attente de votre approbation…
wait-continue = J'ai approuvé, continuer
wait-approved = Approuvé. Connexion en cours…
wait-denied = La demande a été refusée. Retour en cours…
wait-expired = La demande a expiré. Retour en cours…
wait-continuing = Poursuite en cours…

## Recovery (recover.html.tera, new_password.html.tera).
recover-title = Réinitialiser votre mot de passe
recover-lead = Indiquez-nous qui vous êtes. Nous vérifierons votre identité par un code à usage unique ou une notification push, puis vous choisirez un nouveau mot de passe.
recover-continue = Continuer
recover-back = Retour à la connexion
new-password-title = Choisissez un nouveau mot de passe
new-password-lead = Saisissez-le deux fois. Vous l'utiliserez pour votre prochaine connexion.
new-password-field = Nouveau mot de passe
new-password-again = Confirmez le nouveau mot de passe
new-password-submit = Changer le mot de passe

## Notices: one line at the top of a step.
notice-expired = Cette étape a pris trop de temps et a expiré. Veuillez recommencer.
notice-cancelled = Connexion annulée.
notice-denied = La demande de connexion a été refusée sur votre appareil.
notice-code-sent = Nous vous avons envoyé un code à usage unique.
notice-code-resent = Nous vous avons envoyé un nouveau code à usage unique.
notice-resend-wait = { $seconds ->
    [one] Vous pourrez demander un nouveau code dans { $seconds } seconde.
   *[other] Vous pourrez demander un nouveau code dans { $seconds } secondes.
}
notice-resend-limit = Vous avez demandé trop de codes. Utilisez le dernier envoyé ou recommencez.
notice-method-unavailable = Cette méthode n'est pas disponible pour votre compte. Veuillez en choisir une autre.
notice-too-many-attempts = Trop de codes erronés. Veuillez recommencer.
notice-choose-another = Veuillez choisir une autre méthode de vérification.
notice-signed-out = Vous avez été déconnecté.
notice-session-ended = Votre session a pris fin. Veuillez vous reconnecter.
notice-confirm-identity = Pour ouvrir cette page, veuillez confirmer votre identité en vous reconnectant.
notice-password-changed = Votre mot de passe a été modifié. Connectez-vous avec votre nouveau mot de passe.
notice-confirm-change = Pour effectuer cette modification, veuillez confirmer votre identité en vous reconnectant. Votre modification est conservée et se poursuivra ensuite.

## Form errors beside a field.
invalid-username-empty = Saisissez votre nom d'utilisateur.
invalid-username = Ce nom d'utilisateur n'est pas valide.
invalid-password-empty = Saisissez votre mot de passe.
invalid-password-long = Ce mot de passe est trop long.
invalid-method = Choisissez un mode de connexion.
invalid-factor = Choisissez l'une des options.
invalid-credentials = Votre nom d'utilisateur ou votre mot de passe est incorrect.
invalid-code-wrong = Ce code n'a pas fonctionné. Vérifiez-le et réessayez.
invalid-code-empty = Saisissez le code.
invalid-code-long = Ce code est trop long.
invalid-code-digits = Le code ne contient que des chiffres.
invalid-code-alphanumeric = Le code ne contient que des lettres et des chiffres.
invalid-new-password-empty = Saisissez un nouveau mot de passe.
invalid-passwords-differ = Les deux mots de passe ne sont pas identiques.
invalid-password-weak = Choisissez un mot de passe plus robuste :

## A password policy's rules, in words.
rule-min-length = { $count ->
    [one] Utilisez au moins { $count } caractère.
   *[other] Utilisez au moins { $count } caractères.
}
rule-longer = Utilisez davantage de caractères.
rule-lowercase = Ajoutez une lettre minuscule.
rule-uppercase = Ajoutez une lettre majuscule.
rule-number = Ajoutez un chiffre.
rule-symbol = Ajoutez un symbole, par exemple ! ou #.
rule-no-username = N'utilisez aucune partie de votre nom d'utilisateur.
rule-history = Choisissez un mot de passe que vous n'avez pas encore utilisé : ni l'actuel, ni l'un de vos { $count } derniers.
rule-history-any = Choisissez un mot de passe que vous n'avez jamais utilisé.
rule-policy = La politique de mots de passe de votre organisation n'accepte pas ce mot de passe. Essayez-en un plus long.
