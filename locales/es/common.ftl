# Textos comunes a todas las páginas: diseño, selector de idioma, fechas, páginas de error.
# Los identificadores de mensaje son los de los catálogos en inglés (locales/en).
# Tratamiento de «usted»; términos: «Iniciar sesión», «código de un solo uso»,
# «aplicación de autenticación», «contraseña».

## This language, named in itself (shown in the language picker).
language-name = Español

## The layout (base.html.tera).
skip-to-content = Ir al contenido
secure-badge = Inicio de sesión seguro
language-picker = Idioma
footer-safety = { $product } nunca le pedirá su contraseña ni un código de un solo uso por teléfono o por correo electrónico.
footer-support = Ayuda y soporte
# Put before a page title when its form came back with an error.
title-error = Error:

## Dates and times (UTC). Variables: $year, $month, $day, $hour, $minute (zero-padded).
datetime-utc = { $day }/{ $month }/{ $year }, { $hour }:{ $minute } UTC

## The error page (error.html.tera).
error-retry-after = { $seconds ->
    [one] Podrá volver a intentarlo dentro de { $seconds } segundo aproximadamente.
   *[other] Podrá volver a intentarlo dentro de { $seconds } segundos aproximadamente.
}
error-back-to-signin = Volver al inicio de sesión
error-reference = Si se pone en contacto con el soporte, indique este identificador de operación:
error-unavailable-title = No podemos iniciar su sesión en este momento
error-unavailable-detail = Se ha producido un error por nuestra parte. Vuelva a intentarlo en unos instantes.
error-unavailable-short-detail = Vuelva a intentarlo en unos instantes.
error-rate-limited-title = Demasiados intentos
error-rate-limited-detail = Espere un poco antes de volver a intentarlo.
error-policy-title = Esta forma de iniciar sesión no está disponible
error-policy-detail = La política de su organización no la permite. Pruebe otra forma o póngase en contacto con el soporte.
error-internal-title = Se ha producido un error
error-internal-detail = Vuelva a empezar en unos instantes.
error-csrf-title = Esta página ha caducado
error-csrf-detail = Por su seguridad, no se ha podido aceptar el formulario. Vuelva atrás, recargue la página e inténtelo de nuevo.
error-not-found-title = Página no encontrada
error-not-found-detail = No hay nada en esta dirección.
error-refused-title = Solicitud rechazada
error-refused-detail = Esta solicitud se ha rechazado por su seguridad. Recargue la página e inténtelo de nuevo.
error-bad-request-title = Algo en la solicitud no era correcto
error-bad-request-detail = Vuelva atrás, revise el formulario e inténtelo de nuevo.
error-forbidden-title = No tiene acceso a esta página
error-forbidden-detail = Ha iniciado sesión, pero esta página no está disponible para su cuenta. Si cree que debería estarlo, consulte a los responsables de este sitio.
