# Textes communs à toutes les pages : mise en page, choix de la langue, dates, pages d'erreur.
# Les identifiants de message sont ceux des catalogues anglais (locales/en).
# Vouvoiement ; termes : « Se connecter », « code à usage unique », « application
# d'authentification », « mot de passe ».

## This language, named in itself (shown in the language picker).
language-name = Français

## The layout (base.html.tera).
skip-to-content = Aller au contenu
secure-badge = Connexion sécurisée
language-picker = Langue
footer-safety = { $product } ne vous demandera jamais votre mot de passe ni un code à usage unique par téléphone ou par e-mail.
footer-support = Aide et assistance
# Put before a page title when its form came back with an error.
title-error = Erreur :

## Dates and times (UTC). Variables: $year, $month, $day, $hour, $minute (zero-padded).
datetime-utc = { $day }/{ $month }/{ $year } { $hour }:{ $minute } UTC

## The error page (error.html.tera).
error-retry-after = { $seconds ->
    [one] Vous pourrez réessayer dans { $seconds } seconde environ.
   *[other] Vous pourrez réessayer dans { $seconds } secondes environ.
}
error-back-to-signin = Retour à la connexion
error-reference = Si vous contactez l'assistance, indiquez ce numéro d'opération :
error-unavailable-title = La connexion est impossible pour le moment
error-unavailable-detail = Une erreur s'est produite de notre côté. Veuillez réessayer dans un instant.
error-unavailable-short-detail = Veuillez réessayer dans un instant.
error-rate-limited-title = Trop de tentatives
error-rate-limited-detail = Veuillez patienter un peu avant de réessayer.
error-policy-title = Ce mode de connexion n'est pas disponible
error-policy-detail = La politique de votre organisation ne l'autorise pas. Choisissez un autre moyen ou contactez l'assistance.
error-internal-title = Une erreur s'est produite
error-internal-detail = Veuillez recommencer dans un instant.
error-csrf-title = Cette page a expiré
error-csrf-detail = Pour votre sécurité, le formulaire n'a pas pu être accepté. Revenez en arrière, rechargez la page et réessayez.
error-not-found-title = Page introuvable
error-not-found-detail = Il n'y a rien à cette adresse.
error-refused-title = Requête refusée
error-refused-detail = Cette requête a été refusée pour votre sécurité. Rechargez la page et réessayez.
error-bad-request-title = Un élément de la requête n'était pas correct
error-bad-request-detail = Revenez en arrière, vérifiez le formulaire et réessayez.
error-forbidden-title = Vous n'avez pas accès à cette page
error-forbidden-detail = Vous êtes connecté, mais cette page n'est pas ouverte à votre compte. Si vous pensez qu'elle devrait l'être, adressez-vous aux responsables de ce site.
